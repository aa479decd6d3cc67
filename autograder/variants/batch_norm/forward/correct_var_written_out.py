"""The variance written out as the mean squared deviation, eps added inside a power 0.5, and the
running statistics initialised like gamma."""
class BatchNorm:
    """Batch normalization of an (N, D) input over its batch axis."""

    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.gamma, self.beta = gamma, beta
        self.momentum, self.eps = momentum, eps
        self.running_mean = np.zeros_like(gamma, dtype=float)
        self.running_var = np.ones_like(gamma, dtype=float)
        self.dgamma = self.dbeta = None

    def forward(self, x, train=True):
        if train:
            mu = np.mean(x, axis=0)
            self.xc = x - mu
            var = np.mean(self.xc ** 2, axis=0)
            self.std = (var + self.eps) ** 0.5
            self.x_hat = self.xc / self.std
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
        else:
            self.x_hat = (x - self.running_mean) / (self.running_var + self.eps) ** 0.5
        return self.gamma * self.x_hat + self.beta
