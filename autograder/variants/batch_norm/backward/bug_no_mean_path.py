"""The gradient's path through the batch mean is missing: every x_i also moves μ_B, which every x̂_j depends on. Add dμ/N to each row, with dμ = −Σ_j dx̂_j / std (plus the variance's term, which is exactly zero); in the compact form, this is the − Σ_j dx̂_j term."""
class BatchNorm(BatchNorm):
    def backward(self, dout):
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(dout * self.x_hat, axis=0)
        dx_hat = dout * self.gamma
        dvar = np.sum(dx_hat * self.xc, axis=0) * -0.5 * self.std ** -3
        return dx_hat / self.std + dvar * 2.0 * self.xc / n
