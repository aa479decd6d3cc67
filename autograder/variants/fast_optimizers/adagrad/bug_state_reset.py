"""h is re-created on every call, so AdaGrad forgets the past gradients: create it once per key and keep accumulating."""
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-7):
        self.lr, self.eps = lr, eps

    def update(self, params, grads):
        for key in params:
            h = grads[key] ** 2
            params[key] -= self.lr * grads[key] / (np.sqrt(h) + self.eps)
