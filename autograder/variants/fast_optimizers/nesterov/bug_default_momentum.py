"""The default momentum is 0.99; it should be 0.9 (defaults lr=0.01, momentum=0.9), so Nesterov() uses 0.99 both in v = momentum·v − lr·g and in w += momentum·v − lr·g."""
class Nesterov:
    def __init__(self, lr=0.01, momentum=0.99):
        self.lr, self.momentum = lr, momentum
        self.v = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.v:
                self.v[key] = np.zeros_like(params[key])
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.momentum * self.v[key] - self.lr * grads[key]
