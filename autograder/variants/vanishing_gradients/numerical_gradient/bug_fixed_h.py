"""The step is fixed at h = 1e-4 inside the function (as in Saito's book), so the h the caller passes is ignored: use the argument h."""
def numerical_gradient(f, x, h=1e-5):
    h = 1e-4
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        f_plus = f(x)
        x[idx] = saved - h
        f_minus = f(x)
        x[idx] = saved
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
