def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.size)
    for i in range(x.size):
        x_plus = x.copy()
        x_minus = x.copy()
        x_plus.flat[i] += h
        x_minus.flat[i] -= h
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad.reshape(x.shape)
