"""Géron's form: the loss of each batch rebuilt from the logs' running mean over the epoch, the
rate read with keras.ops and set with assign."""
class ExponentialLearningRate(keras.callbacks.Callback):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor
        self.rates = []
        self.losses = []

    def on_epoch_begin(self, epoch, logs=None):
        self.sum_of_epoch_losses = 0.0

    def on_train_batch_end(self, batch, logs=None):
        new_sum = logs["loss"] * (batch + 1)
        self.losses.append(new_sum - self.sum_of_epoch_losses)
        self.sum_of_epoch_losses = new_sum
        lr = keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)
        self.rates.append(lr.item())
        self.model.optimizer.learning_rate.assign(lr * self.factor)
