def l2_grad(w, lam):
    """d/dw of ½·lam·Σw², with np.multiply."""
    return np.multiply(w, lam)
