"""One h is shared by every parameter, so each key's squared gradients are added to the other keys' sum (and keys of different shapes clash): keep a separate h per key, in a dict, created the first time each key is seen."""
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-7):
        self.lr, self.eps = lr, eps
        self.h = None

    def update(self, params, grads):
        for key in params:
            if self.h is None:
                self.h = np.zeros_like(params[key])
            self.h += grads[key] ** 2
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h) + self.eps)
