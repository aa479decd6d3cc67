"""The gradient's path through the batch variance is missing: every x_i also moves σ²_B, which every x̂_j depends on. Add dvar·2·xc_i/N, with dvar = −½ Σ_j dx̂_j·xc_j / std³; in the compact form, this is the − x̂_i Σ_j dx̂_j x̂_j term."""
class BatchNorm(BatchNorm):
    def backward(self, dout):
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(dout * self.x_hat, axis=0)
        dx_hat = dout * self.gamma
        return (dx_hat - dx_hat.mean(axis=0)) / self.std
