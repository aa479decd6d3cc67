class Nesterov:
    """Bengio et al. (2013)'s form: w += −momentum·v_old + (1 + momentum)·v_new."""
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum = lr, momentum
        self.v = {}

    def update(self, params, grads):
        for key in params:
            v_old = self.v.get(key, np.zeros_like(params[key]))
            v_new = self.momentum * v_old - self.lr * grads[key]
            params[key] += -self.momentum * v_old + (1 + self.momentum) * v_new
            self.v[key] = v_new
