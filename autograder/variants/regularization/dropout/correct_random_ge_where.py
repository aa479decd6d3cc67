class Dropout:
    """Inverted dropout, written with np.random.random and np.where."""

    def __init__(self, rate=0.5):
        self.rate = rate
        self.mask = None

    def forward(self, x, train=True):
        if not train:
            return x
        self.mask = np.random.random(x.shape) >= self.rate
        return np.where(self.mask, x / (1.0 - self.rate), 0.0)

    def backward(self, dout):
        return np.where(self.mask, dout / (1.0 - self.rate), 0.0)
