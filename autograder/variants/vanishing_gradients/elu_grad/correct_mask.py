def elu_grad(x, alpha=1.0):
    grad = np.ones_like(x)
    neg = x <= 0
    grad[neg] = alpha * np.exp(x[neg])
    return grad
