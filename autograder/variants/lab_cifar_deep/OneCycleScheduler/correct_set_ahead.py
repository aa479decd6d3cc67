"""The rate of the next batch set ahead: the first one at the start of training, each later one
at the end of the batch before."""
class OneCycleScheduler(keras.callbacks.Callback):
    def __init__(self, total_steps, max_lr, start_lr=None, last_lr=None):
        super().__init__()
        self.args = (total_steps, max_lr, start_lr, last_lr)
        self.done = 0

    def _set(self):
        self.model.optimizer.learning_rate = one_cycle(self.done, *self.args)

    def on_train_begin(self, logs=None):
        self._set()

    def on_batch_end(self, batch, logs=None):
        self.done += 1
        self._set()
