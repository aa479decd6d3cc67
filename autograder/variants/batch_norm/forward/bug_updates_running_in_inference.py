"""The running statistics are updated in inference too: forward(x, train=False) must normalize with running_mean and running_var as they are and change nothing; only training calls update them (otherwise the model's predictions drift with every test batch it sees)."""
class BatchNorm:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean = np.zeros(len(gamma))
        self.running_var = np.ones(len(gamma))

    def forward(self, x, train=True):
        mu, var = x.mean(axis=0), x.var(axis=0)
        self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
        self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        if train:
            self.xc = x - mu
            self.std = np.sqrt(var + self.eps)
            self.x_hat = self.xc / self.std
            return self.gamma * self.x_hat + self.beta
        x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * x_hat + self.beta
