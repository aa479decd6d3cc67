def leaky_relu_grad(x, alpha=0.01):
    one = np.ones_like(x)
    return np.where(x > 0, one, alpha * one)
