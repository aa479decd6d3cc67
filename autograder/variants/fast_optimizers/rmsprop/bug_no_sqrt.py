"""The step divides by h instead of √h: the equation is w -= lr·g / (√h + eps), with the square root of the running average of g²."""
class RMSprop:
    def __init__(self, lr=0.01, rho=0.9, eps=1e-7):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            self.h[key] = self.rho * self.h[key] + (1 - self.rho) * grads[key] ** 2
            params[key] -= self.lr * grads[key] / (self.h[key] + self.eps)
