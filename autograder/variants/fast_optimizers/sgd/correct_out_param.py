class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key, g in grads.items():
            np.subtract(params[key], self.lr * g, out=params[key])
