def leaky_relu_grad(x, alpha=0.01):
    grad = np.ones_like(x)
    grad[x <= 0] = alpha
    return grad
