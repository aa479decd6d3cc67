"""The mask has one entry per feature (shape x.shape[1:]) and is broadcast over the batch, so every example of a batch loses the same units. Draw one independent keep/drop decision per element: the mask has the shape of x, np.random.rand(*x.shape) > rate."""
class Dropout:
    def __init__(self, rate=0.5):
        self.rate = rate

    def forward(self, x, train=True):
        if not train:
            return x
        self.mask = np.random.rand(*x.shape[1:]) > self.rate
        return x * self.mask / (1.0 - self.rate)

    def backward(self, dout):
        return dout * self.mask / (1.0 - self.rate)
