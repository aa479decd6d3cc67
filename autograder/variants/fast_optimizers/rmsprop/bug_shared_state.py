"""One h is shared by every parameter, so each key's squared gradients enter the other keys' average (and keys of different shapes clash): keep a separate h per key, in a dict, created the first time each key is seen."""
class RMSprop:
    def __init__(self, lr=0.01, rho=0.9, eps=1e-7):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.h = None

    def update(self, params, grads):
        for key in params:
            if self.h is None:
                self.h = np.zeros_like(params[key])
            self.h = self.rho * self.h + (1 - self.rho) * grads[key] ** 2
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h) + self.eps)
