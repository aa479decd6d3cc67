"""w += momentum²·v − (1 + momentum)·lr·g is the look-ahead step only when v is the velocity from *before* this step's update (momentum·v_new − lr·g = momentum²·v_old − (1 + momentum)·lr·g); with the updated v it applies this step's gradient twice. Use v_old there, or write w += momentum·v_new − lr·g."""
class Nesterov:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum = lr, momentum
        self.v = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.v:
                self.v[key] = np.zeros_like(params[key])
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= (1 + self.momentum) * self.lr * grads[key]
