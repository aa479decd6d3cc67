"""eps is added to the gradient instead of the denominator: the code computes w -= lr·(g + eps) / √h, which divides by zero where h is still zero; the equation is w -= lr·g / (√h + eps)."""
class RMSprop:
    def __init__(self, lr=0.01, rho=0.9, eps=1e-7):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            self.h[key] = self.rho * self.h[key] + (1 - self.rho) * grads[key] ** 2
            params[key] -= self.lr * (grads[key] + self.eps) / np.sqrt(self.h[key])
