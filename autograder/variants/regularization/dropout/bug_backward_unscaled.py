"""backward applies the mask but forgets the scale: forward computed x·mask/(1 − rate), so its derivative is dout·mask/(1 − rate), not dout·mask."""
class Dropout:
    def __init__(self, rate=0.5):
        self.rate = rate

    def forward(self, x, train=True):
        if not train:
            return x
        self.mask = np.random.rand(*x.shape) > self.rate
        return x * self.mask / (1.0 - self.rate)

    def backward(self, dout):
        return dout * self.mask
