"""For x < 0 this returns SELU's value λ·alpha·(exp(x) − 1); its derivative is λ·alpha·exp(x)."""
def selu_grad(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * np.where(x > 0, np.ones_like(x), alpha * np.expm1(np.minimum(x, 0)))
