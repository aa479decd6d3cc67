"""`x = x_saved.copy()` binds a new array to the local name x; the caller's array keeps the shifted x[i] of the first element. Restore each element in place (x[i] = saved) instead of rebinding x."""
def numerical_gradient(f, x, h=1e-5):
    x_saved = x.copy()
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        x[idx] = x_saved[idx] + h
        f_plus = f(x)
        x[idx] = x_saved[idx] - h
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * h)
        x = x_saved.copy()
    return grad
