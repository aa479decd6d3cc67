def elu_grad(x, alpha=1.0):
    return np.where(x > 0, 1, alpha * np.exp(x)).astype(x.dtype)
