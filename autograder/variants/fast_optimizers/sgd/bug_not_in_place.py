"""`params[key] = params[key] - …` binds a new array: update the caller's array in place (`-=`)."""
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] = params[key] - self.lr * grads[key]
