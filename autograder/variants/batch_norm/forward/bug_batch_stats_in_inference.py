"""Inference normalizes with the statistics of the batch it is given: with train=False use running_mean and running_var instead (a prediction must not depend on the other examples of the batch, and a batch of one example would come out as beta)."""
class BatchNorm:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean = np.zeros(len(gamma))
        self.running_var = np.ones(len(gamma))

    def forward(self, x, train=True):
        mu, var = x.mean(axis=0), x.var(axis=0)
        self.xc = x - mu
        self.std = np.sqrt(var + self.eps)
        self.x_hat = self.xc / self.std
        if train:
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        return self.gamma * self.x_hat + self.beta
