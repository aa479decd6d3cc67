"""The rate is multiplied before it is recorded: rates[i] is then the rate of batch i + 1, and
the loss curve is drawn against rates one step too high; append the current rate first."""
class ExponentialLearningRate(keras.callbacks.Callback):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor
        self.rates = []
        self.losses = []

    def on_batch_end(self, batch, logs=None):
        lr = float(self.model.optimizer.learning_rate) * self.factor
        self.model.optimizer.learning_rate = lr
        self.rates.append(lr)
        self.losses.append(float(logs["loss"]))
