"""The default learning rate is 0.001; it should be 0.01 (defaults lr=0.01, eps=1e-7), so AdaGrad() takes steps ten times too small."""
class AdaGrad:
    def __init__(self, lr=0.001, eps=1e-7):
        self.lr, self.eps = lr, eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            self.h[key] += grads[key] ** 2
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)
