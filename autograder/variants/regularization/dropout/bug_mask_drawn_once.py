"""The mask is drawn only once and then reused: every training call must draw a new random mask, or the same units are dropped for every batch (the network just loses them for good)."""
class Dropout:
    def __init__(self, rate=0.5):
        self.rate = rate
        self.mask = None

    def forward(self, x, train=True):
        if not train:
            return x
        if self.mask is None or self.mask.shape != x.shape:
            self.mask = np.random.rand(*x.shape) > self.rate
        return x * self.mask / (1.0 - self.rate)

    def backward(self, dout):
        return dout * self.mask / (1.0 - self.rate)
