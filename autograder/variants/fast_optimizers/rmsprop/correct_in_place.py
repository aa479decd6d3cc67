"""h updated in place (h *= rho; h += (1 − rho)·g²), eps outside the square root: w -= lr·g / (√h + eps)."""
class RMSprop:
    def __init__(self, lr=0.01, rho=0.9, eps=1e-7):
        self.lr = lr
        self.rho = rho
        self.eps = eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            h = self.h[key]
            h *= self.rho
            h += (1 - self.rho) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(h) + self.eps)
