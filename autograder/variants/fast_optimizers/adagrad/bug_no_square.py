"""h accumulates the gradient itself: AdaGrad sums the *squared* gradients, h += g²."""
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-7):
        self.lr, self.eps = lr, eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            self.h[key] += np.abs(grads[key])
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)
