"""The compact formula: dx = (N·dx̂ − Σ dx̂ − x̂·Σ dx̂·x̂) / (N·std)."""
class BatchNorm(BatchNorm):
    def backward(self, dout):
        N = dout.shape[0]
        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * self.x_hat, axis=0)
        dx_hat = dout * self.gamma
        return (N * dx_hat - dx_hat.sum(axis=0)
                - self.x_hat * np.sum(dx_hat * self.x_hat, axis=0)) / (N * self.std)
