"""x[i] is never put back: after element i, x[i] stays at x[i] − h, so every later component is measured at a shifted point and the caller's x comes back changed. Save x[i] first and restore it after the two evaluations."""
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        f_plus = f(x)
        x[idx] = saved - h
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
