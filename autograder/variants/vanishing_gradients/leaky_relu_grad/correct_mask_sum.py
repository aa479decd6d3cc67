def leaky_relu_grad(x, alpha=0.01):
    positive = (x > 0).astype(x.dtype)
    return positive + alpha * (1 - positive)
