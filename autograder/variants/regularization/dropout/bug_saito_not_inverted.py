"""This is the dropout of Saito's *Deep Learning from Scratch* (§6.4.3), which is not inverted: it keeps x unscaled in training and multiplies by (1 − rate) at inference. The graded contract is *inverted* dropout, as in keras.layers.Dropout: in training divide the kept values by (1 − rate) (and scale dout the same way in backward), and with train=False return x unchanged."""
class Dropout:
    def __init__(self, rate=0.5):
        self.rate = rate
        self.mask = None

    def forward(self, x, train=True):
        if train:
            self.mask = np.random.rand(*x.shape) > self.rate
            return x * self.mask
        return x * (1.0 - self.rate)

    def backward(self, dout):
        return dout * self.mask
