"""The rate kept as a NumPy copy, multiplied first into a local variable."""
class ExponentialLearningRate(keras.callbacks.Callback):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor
        self.rates, self.losses = [], []

    def on_batch_end(self, batch, logs=None):
        optimizer = self.model.optimizer
        old = np.array(optimizer.learning_rate)
        new = old * self.factor
        self.rates.append(old)
        self.losses.append(logs["loss"])
        optimizer.learning_rate = new
