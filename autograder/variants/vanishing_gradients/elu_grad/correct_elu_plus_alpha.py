def elu_grad(x, alpha=1.0):
    # for x < 0: d/dx alpha*(exp(x) - 1) = alpha*exp(x) = elu(x) + alpha
    negative_part = alpha * np.expm1(np.minimum(x, 0))
    return np.where(x > 0, np.ones_like(x), negative_part + alpha)
