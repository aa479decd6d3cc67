"""AdaGrad with in-place NumPy calls: np.add(h, g², out=h), then w -= lr·g / (√h + eps) through out= arguments."""
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-7):
        self.lr = lr
        self.eps = eps
        self.h = {}

    def update(self, params, grads):
        for key, g in grads.items():
            if key not in self.h:
                self.h[key] = np.zeros_like(params[key])
            h = self.h[key]
            np.add(h, np.square(g), out=h)
            denom = np.sqrt(h)
            np.add(denom, self.eps, out=denom)
            np.subtract(params[key], self.lr * g / denom, out=params[key])
