class Dropout:
    """Inverted dropout drawing the keep-mask from a binomial (one trial per element)."""

    def __init__(self, rate=0.5):
        self.rate = rate

    def forward(self, x, train=True):
        if not train:
            return x
        keep = 1 - self.rate
        self.mask = np.random.binomial(1, keep, size=x.shape).astype(bool)
        return x * self.mask / keep

    def backward(self, dout):
        return dout * self.mask / (1 - self.rate)
