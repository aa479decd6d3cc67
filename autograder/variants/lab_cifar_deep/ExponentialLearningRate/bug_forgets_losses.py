"""The rate grows and is recorded, but the losses are never appended: the finder's plot needs
self.losses.append(logs["loss"]) after every batch too."""
class ExponentialLearningRate(keras.callbacks.Callback):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor
        self.rates = []
        self.losses = []

    def on_batch_end(self, batch, logs=None):
        lr = float(self.model.optimizer.learning_rate)
        self.rates.append(lr)
        self.model.optimizer.learning_rate = lr * self.factor
