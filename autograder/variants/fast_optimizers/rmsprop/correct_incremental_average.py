"""The moving average written as a correction, h += (1 − rho)·(g² − h), which equals rho·h + (1 − rho)·g²."""
class RMSprop:
    def __init__(self, lr=0.01, rho=0.9, eps=1e-7):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.h = {}

    def update(self, params, grads):
        for key, g in grads.items():
            if key not in self.h:
                self.h[key] = np.zeros_like(g)
            self.h[key] += (1 - self.rho) * (g ** 2 - self.h[key])
            params[key] -= self.lr * g / (np.sqrt(self.h[key]) + self.eps)
