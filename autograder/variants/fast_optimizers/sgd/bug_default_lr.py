"""The default learning rate is 0.001; it should be 0.01, so SGD() takes steps ten times too small: w -= 0.01·g when lr is not given."""
class SGD:
    def __init__(self, lr=0.001):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]
