"""Missing parentheses: the code computes w -= lr·g/√h + eps, which subtracts eps from every weight at every step (and gives 0/0 where g and h are still zero); the equation is w -= lr·g / (√h + eps)."""
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-7):
        self.lr, self.eps = lr, eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            self.h[key] += grads[key] ** 2
            params[key] -= self.lr * grads[key] / np.sqrt(self.h[key]) + self.eps
