"""The learning rate passed to the constructor is ignored: use self.lr, not the default 0.01."""
class SGD:
    def __init__(self, lr=0.01):
        self.lr = 0.01

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]
