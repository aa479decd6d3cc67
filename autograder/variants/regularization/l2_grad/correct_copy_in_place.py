def l2_grad(w, lam):
    """d/dw of ½·lam·Σw²: scale a copy of w in place (never w itself)."""
    g = np.array(w, copy=True)
    g *= lam
    return g
