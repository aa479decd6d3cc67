"""The running variance averages σ²_B + eps instead of σ²_B, so eps is counted twice at inference: average the batch variance itself and add eps only where you take the square root."""
class BatchNorm:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean = np.zeros(len(gamma))
        self.running_var = np.ones(len(gamma))

    def forward(self, x, train=True):
        if train:
            mu = x.mean(axis=0)
            var = x.var(axis=0) + self.eps
            self.xc = x - mu
            self.std = np.sqrt(var)
            self.x_hat = self.xc / self.std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
            return self.gamma * self.x_hat + self.beta
        x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * x_hat + self.beta
