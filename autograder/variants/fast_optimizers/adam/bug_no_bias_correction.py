"""No bias correction: m and v start at zero, so the early steps have the wrong size (with the default betas the first step is (1 − beta1)/√(1 − beta2) ≈ 3 times too large, since v starts even more biased than m); divide m by (1 − beta1^t) and v by (1 − beta2^t), with t the step number starting at 1."""
class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v = {}, {}

    def update(self, params, grads):
        for key in params:
            if key not in self.m:
                self.m[key] = np.zeros_like(params[key])
                self.v[key] = np.zeros_like(params[key])
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            params[key] -= self.lr * self.m[key] / (np.sqrt(self.v[key]) + self.eps)
