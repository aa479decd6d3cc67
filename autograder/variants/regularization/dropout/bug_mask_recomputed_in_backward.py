"""backward draws a new random mask: the gradient must flow through exactly the elements that forward kept, so backward must reuse self.mask from the last training forward, not draw another one."""
class Dropout:
    def __init__(self, rate=0.5):
        self.rate = rate

    def forward(self, x, train=True):
        if not train:
            return x
        self.mask = np.random.rand(*x.shape) > self.rate
        return x * self.mask / (1.0 - self.rate)

    def backward(self, dout):
        mask = np.random.rand(*dout.shape) > self.rate
        return dout * mask / (1.0 - self.rate)
