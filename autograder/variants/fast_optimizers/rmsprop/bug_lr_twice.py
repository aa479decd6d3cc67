"""The learning rate is applied twice: the code subtracts lr·(lr·g / (√h + eps)); the step is w -= lr·g / (√h + eps), with lr once."""
class RMSprop:
    def __init__(self, lr=0.01, rho=0.9, eps=1e-7):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            self.h[key] = self.rho * self.h[key] + (1 - self.rho) * grads[key] ** 2
            step = self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)
            params[key] -= self.lr * step
