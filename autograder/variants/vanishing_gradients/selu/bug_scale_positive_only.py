"""λ scales both branches: for x <= 0, SELU is λ·alpha·(exp(x) − 1), not alpha·(exp(x) − 1)."""
def selu(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return np.where(x > 0, scale * x, alpha * np.expm1(np.minimum(x, 0)))
