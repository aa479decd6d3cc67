"""−lam·w is the *step* weight decay takes (it pulls w towards 0); the gradient of the penalty ½·lam·Σw² is +lam·w, and the optimizer subtracts it."""
def l2_grad(w, lam):
    return -lam * w
