class RMSprop:
    """eps inside the square root, as Keras' RMSprop writes it: w -= lr·g / √(h + eps)."""
    def __init__(self, lr=0.01, rho=0.9, eps=1e-7):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            h = self.h.setdefault(key, np.zeros_like(params[key]))
            h *= self.rho
            h += (1 - self.rho) * grads[key] ** 2
            params[key] -= self.lr * grads[key] / np.sqrt(h + self.eps)
