"""The variance as the mean of the squares minus the square of the mean, E[x²] − E[x]²."""
class BatchNorm:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean = np.zeros(gamma.shape[0])
        self.running_var = np.ones(gamma.shape[0])

    def forward(self, x, train=True):
        if train:
            mean = x.mean(axis=0)
            var = (x * x).mean(axis=0) - mean * mean
            self.running_mean *= self.momentum
            self.running_mean += (1 - self.momentum) * mean
            self.running_var *= self.momentum
            self.running_var += (1 - self.momentum) * var
        else:
            mean, var = self.running_mean, self.running_var
        xc = x - mean
        std = np.sqrt(var + self.eps)
        x_hat = xc / std
        if train:
            self.xc, self.std, self.x_hat = xc, std, x_hat
        return self.gamma * x_hat + self.beta
