def selu(x):
    alpha, scale = 1.6733, 1.0507
    out = scale * x
    neg = x <= 0
    out[neg] = scale * alpha * (np.exp(x[neg]) - 1)
    return out
