"""Every operation written with NumPy's out= argument: v *= momentum, v -= lr·g, w += v, all in place."""
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.velocity = {}

    def update(self, params, grads):
        for key, g in grads.items():
            if key not in self.velocity:
                self.velocity[key] = np.zeros_like(params[key])
            v = self.velocity[key]
            np.multiply(v, self.momentum, out=v)
            np.subtract(v, self.lr * g, out=v)
            np.add(params[key], v, out=params[key])
