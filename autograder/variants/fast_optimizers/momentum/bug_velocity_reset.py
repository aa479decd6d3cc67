"""The velocity is re-created on every call, so Momentum never builds up speed: create it once per key, on the first call, and keep it between calls."""
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum = lr, momentum

    def update(self, params, grads):
        for key in params:
            v = np.zeros_like(params[key])
            v = self.momentum * v - self.lr * grads[key]
            params[key] += v
