"""This returns leaky ReLU itself (x and alpha·x), not its derivative (1 and alpha)."""
def leaky_relu_grad(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
