"""The branches are swapped: the slope is 1 where x > 0 and alpha where x < 0."""
def leaky_relu_grad(x, alpha=0.01):
    one = np.ones_like(x)
    return np.where(x > 0, alpha * one, one)
