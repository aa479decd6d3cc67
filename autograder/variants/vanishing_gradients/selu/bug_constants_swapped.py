"""The constants are swapped: alpha ≈ 1.6733 multiplies exp(x) − 1 and the scale λ ≈ 1.0507 multiplies everything."""
def selu(x):
    alpha, scale = 1.0507009873554805, 1.6732632423543772
    return scale * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
