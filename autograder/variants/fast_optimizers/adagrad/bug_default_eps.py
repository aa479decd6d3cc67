"""The default eps is 1e-8; this course, like Keras, uses eps=1e-7 (defaults lr=0.01, eps=1e-7). It matters where gradients are tiny: there eps is a large part of √h + eps."""
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-8):
        self.lr, self.eps = lr, eps
        self.h = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            self.h[key] += grads[key] ** 2
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)
