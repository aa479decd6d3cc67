"""The default momentum is 0.99; it should be 0.9 (defaults lr=0.01, momentum=0.9), so Momentum() computes v = 0.99·v − lr·g instead of v = 0.9·v − lr·g."""
class Momentum:
    def __init__(self, lr=0.01, momentum=0.99):
        self.lr = lr
        self.momentum = momentum
        self.v = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.v:
                self.v[key] = np.zeros_like(params[key])
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]
