"""The slope is fixed at 0.01 inside the function: use the argument alpha, which the caller may set (e.g. alpha=0.3)."""
def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, 0.01 * x)
