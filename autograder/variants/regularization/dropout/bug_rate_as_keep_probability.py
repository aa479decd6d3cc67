"""rate is the probability of *dropping* an element (Keras' meaning), not of keeping it: keep where np.random.rand(*x.shape) > rate. With rate=0.2 your layer drops about 80 % of the values instead of 20 % (at rate=0.5 the two readings coincide, so that case alone cannot tell)."""
class Dropout:
    def __init__(self, rate=0.5):
        self.rate = rate

    def forward(self, x, train=True):
        if not train:
            return x
        self.mask = np.random.rand(*x.shape) < self.rate
        return x * self.mask / (1.0 - self.rate)

    def backward(self, dout):
        return dout * self.mask / (1.0 - self.rate)
