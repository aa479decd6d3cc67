class Dropout:
    """Inverted dropout with the keep-mask stored as 0.0/1.0 numbers of x's dtype."""

    def __init__(self, rate=0.5):
        self.rate = rate
        self.scale = 1.0 / (1.0 - rate)

    def forward(self, x, train=True):
        if train:
            self.mask = (np.random.uniform(size=x.shape) > self.rate).astype(x.dtype)
            return x * self.mask * self.scale
        return x.copy()

    def backward(self, dout):
        return dout * self.mask * self.scale
