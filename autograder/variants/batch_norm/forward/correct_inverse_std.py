"""Multiplies by the inverse standard deviation (eps inside the square root, written first),
updates the running statistics incrementally (running += (1 − m)(batch − running), the same
average), and keeps them in the dtype of gamma."""
class BatchNorm:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.eps = eps
        D = len(gamma)
        self.running_mean = np.zeros(D, dtype=np.asarray(gamma).dtype)
        self.running_var = np.ones(D, dtype=np.asarray(gamma).dtype)

    def forward(self, x, train=True):
        if train:
            mu = x.sum(axis=0) / x.shape[0]
            var = np.var(x, axis=0)
            inv_std = 1.0 / np.sqrt(self.eps + var)
            self.xc = x - mu
            self.std = np.sqrt(self.eps + var)
            self.x_hat = self.xc * inv_std
            self.running_mean = self.running_mean + (1 - self.momentum) * (mu - self.running_mean)
            self.running_var = self.running_var + (1 - self.momentum) * (var - self.running_var)
            return self.gamma * self.x_hat + self.beta
        inv_std = 1.0 / np.sqrt(self.eps + self.running_var)
        return self.gamma * ((x - self.running_mean) * inv_std) + self.beta
