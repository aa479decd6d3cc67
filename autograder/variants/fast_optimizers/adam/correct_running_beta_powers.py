"""beta1^t and beta2^t kept as running products (multiplied by beta1 and beta2 once per step) instead of computed as powers."""
class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.state = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.state:
                self.state[key] = {
                    "m": np.zeros_like(params[key]),
                    "v": np.zeros_like(params[key]),
                    "b1_pow": 1.0,
                    "b2_pow": 1.0,
                }
            s = self.state[key]
            g = grads[key]
            s["b1_pow"] *= self.beta1
            s["b2_pow"] *= self.beta2
            s["m"] = self.beta1 * s["m"] + (1 - self.beta1) * g
            s["v"] = self.beta2 * s["v"] + (1 - self.beta2) * g * g
            m_hat = s["m"] / (1 - s["b1_pow"])
            v_hat = s["v"] / (1 - s["b2_pow"])
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
