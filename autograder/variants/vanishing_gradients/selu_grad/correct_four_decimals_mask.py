def selu_grad(x):
    alpha, scale = 1.6733, 1.0507
    grad = np.full_like(x, scale)
    neg = x <= 0
    grad[neg] = scale * alpha * np.exp(x[neg])
    return grad
