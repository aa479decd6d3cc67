class Adam:
    """Bias-corrected moments with eps inside the square root: w -= lr·m̂ / √(v̂ + eps)."""
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.state = {}

    def update(self, params, grads):
        for key in params:
            m, v, t = self.state.get(key, (0.0, 0.0, 0))
            t += 1
            m = self.beta1 * m + (1 - self.beta1) * grads[key]
            v = self.beta2 * v + (1 - self.beta2) * grads[key] ** 2
            m_hat = m / (1 - self.beta1 ** t)
            v_hat = v / (1 - self.beta2 ** t)
            params[key] -= self.lr * m_hat / np.sqrt(v_hat + self.eps)
            self.state[key] = (m, v, t)
