"""The default rho is 0.99; it should be 0.9 (defaults lr=0.01, rho=0.9, eps=1e-7), so RMSprop() computes h = 0.99·h + 0.01·g² instead of h = 0.9·h + 0.1·g²."""
class RMSprop:
    def __init__(self, lr=0.01, rho=0.99, eps=1e-7):
        self.lr = lr
        self.rho = rho
        self.eps = eps
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)
        for key in params.keys():
            self.h[key] *= self.rho
            self.h[key] += (1 - self.rho) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)
