"""alpha is fixed at 1 inside the function: use the argument alpha, which the caller may set (e.g. alpha=0.5)."""
def elu(x, alpha=1.0):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
