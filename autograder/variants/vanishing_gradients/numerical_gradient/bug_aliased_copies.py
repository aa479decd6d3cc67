"""`x_plus = x` and `x_minus = x` are the same array, not copies: both shifts land on it and cancel, f is evaluated twice at the same point and every component is 0. Use x.copy()."""
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        x_plus = x
        x_minus = x
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad
