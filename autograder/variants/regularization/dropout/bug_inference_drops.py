"""forward ignores train: dropout must act only in training; forward(x, train=False) returns x unchanged (inverted dropout already did its scaling in training)."""
class Dropout:
    def __init__(self, rate=0.5):
        self.rate = rate

    def forward(self, x, train=True):
        self.mask = np.random.rand(*x.shape) > self.rate
        return x * self.mask / (1.0 - self.rate)

    def backward(self, dout):
        return dout * self.mask / (1.0 - self.rate)
