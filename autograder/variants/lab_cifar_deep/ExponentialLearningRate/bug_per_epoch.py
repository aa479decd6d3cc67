"""The callback acts once per epoch (on_epoch_end): the learning-rate finder needs one rate and
one loss per batch, and the rate must grow after every batch; use on_batch_end."""
class ExponentialLearningRate(keras.callbacks.Callback):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor
        self.rates = []
        self.losses = []

    def on_epoch_end(self, epoch, logs=None):
        lr = float(self.model.optimizer.learning_rate)
        self.rates.append(lr)
        self.losses.append(float(logs["loss"]))
        self.model.optimizer.learning_rate = lr * self.factor
