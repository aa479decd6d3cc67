def leaky_relu(x, alpha=0.01):
    out = x.copy()
    negative = x <= 0
    out[negative] = alpha * x[negative]
    return out
