"""Saito's staged backward (Deep Learning from Scratch, common/layers.py): the mean's gradient is
taken from dxc after the variance's contribution was added to it."""
class BatchNorm(BatchNorm):
    def backward(self, dout):
        batch_size = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.x_hat * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / batch_size
        return dx
