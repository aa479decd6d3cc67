"""Multiplying by 0/1 masks gives nan for large x: exp(1000) overflows to inf and inf·0 is nan. Choose the branch with np.where (or compute exp only where x <= 0)."""
def elu_grad(x, alpha=1.0):
    return (x > 0) * np.ones_like(x) + alpha * np.exp(x) * (x <= 0)
