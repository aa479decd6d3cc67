"""dgamma is summed over the wrong axis: gamma has one value per feature, so its gradient sums dout·x̂ over the batch, np.sum(dout * x_hat, axis=0), a vector of shape (D,)."""
class BatchNorm(BatchNorm):
    def backward(self, dout):
        N = dout.shape[0]
        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * self.x_hat, axis=1)
        dx_hat = dout * self.gamma
        return (N * dx_hat - dx_hat.sum(axis=0)
                - self.x_hat * np.sum(dx_hat * self.x_hat, axis=0)) / (N * self.std)
