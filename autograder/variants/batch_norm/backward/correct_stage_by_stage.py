"""Every node of the computational graph in turn, backwards: out = gamma·x̂ + beta,
x̂ = xc·ivar, ivar = 1/sqrtvar, sqrtvar = √(var + eps), var = mean(sq), sq = xc², xc = x − mu,
mu = mean(x); the two paths into xc and into x are added."""
class BatchNorm(BatchNorm):
    def backward(self, dout):
        N, D = dout.shape
        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * self.x_hat, axis=0)
        dxhat = dout * self.gamma
        ivar = 1.0 / self.std
        divar = np.sum(dxhat * self.xc, axis=0)
        dxc1 = dxhat * ivar
        dsqrtvar = -1.0 / (self.std ** 2) * divar
        dvar = 0.5 * 1.0 / self.std * dsqrtvar
        dsq = 1.0 / N * np.ones((N, D)) * dvar
        dxc2 = 2 * self.xc * dsq
        dx1 = dxc1 + dxc2
        dmu = -1 * np.sum(dxc1 + dxc2, axis=0)
        dx2 = 1.0 / N * np.ones((N, D)) * dmu
        return dx1 + dx2
