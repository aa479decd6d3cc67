"""Nesterov with NumPy's out= argument: v = momentum·v − lr·g updated in place, then w += momentum·v − lr·g with the new v."""
class Nesterov:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = {}

    def update(self, params, grads):
        for key in params:
            g = grads[key]
            v = self.v.setdefault(key, np.zeros_like(params[key]))
            lr_g = self.lr * g
            np.multiply(v, self.momentum, out=v)
            np.subtract(v, lr_g, out=v)
            step = np.multiply(v, self.momentum)
            np.subtract(step, lr_g, out=step)
            np.add(params[key], step, out=params[key])
