"""One m and one v are shared by every parameter, so each key's moments mix with the other keys' (and keys of different shapes clash): keep a separate m and v per key, in dicts, created the first time each key is seen."""
class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        self.t += 1
        for key in params:
            if self.m is None:
                self.m = np.zeros_like(params[key])
                self.v = np.zeros_like(params[key])
            self.m = self.beta1 * self.m + (1 - self.beta1) * grads[key]
            self.v = self.beta2 * self.v + (1 - self.beta2) * grads[key] ** 2
            m_hat = self.m / (1 - self.beta1 ** self.t)
            v_hat = self.v / (1 - self.beta2 ** self.t)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
