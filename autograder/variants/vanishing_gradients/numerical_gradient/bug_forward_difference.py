"""A forward difference, (f(x + h·eᵢ) − f(x)) / h, is only accurate to about h·f''/2: use the centred difference (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h, accurate to about h²."""
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    fx = f(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        grad[idx] = (f(x) - fx) / h
        x[idx] = saved
    return grad
