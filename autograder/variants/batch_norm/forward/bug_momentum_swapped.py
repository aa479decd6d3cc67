"""The moving average is the wrong way round: the old running value keeps the weight momentum and the batch gets 1 − momentum, running = momentum·running + (1 − momentum)·batch statistic (with momentum=0.9 each batch moves the average by a tenth)."""
class BatchNorm:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean = np.zeros(len(gamma))
        self.running_var = np.ones(len(gamma))

    def forward(self, x, train=True):
        if train:
            mu, var = x.mean(axis=0), x.var(axis=0)
            self.xc = x - mu
            self.std = np.sqrt(var + self.eps)
            self.x_hat = self.xc / self.std
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var
            return self.gamma * self.x_hat + self.beta
        x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * x_hat + self.beta
