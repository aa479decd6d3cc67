class AdamW:
    """Loshchilov & Hutter's Algorithm 2 with the schedule multiplier equal to lr: decay and Adam
    step taken from the same w in one line, w -= lr*(m̂/(√v̂ + eps) + weight_decay*w). The Adam
    step does not depend on w, so this equals Keras' decay-then-step."""
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7, weight_decay=0.004):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.weight_decay = weight_decay
        self.t = 0
        self.m, self.v = {}, {}

    def update(self, params, grads):
        self.t += 1
        for key, g in grads.items():
            m = self.m.setdefault(key, np.zeros_like(params[key]))
            v = self.v.setdefault(key, np.zeros_like(params[key]))
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            params[key] -= self.lr * (m_hat / (np.sqrt(v_hat) + self.eps)
                                      + self.weight_decay * params[key])
