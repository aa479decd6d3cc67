"""The step is Keras' batch argument, which starts again at 0 every epoch: the schedule restarts
with each epoch instead of running once over the whole training; keep your own counter."""
class OneCycleScheduler(keras.callbacks.Callback):
    def __init__(self, total_steps, max_lr, start_lr=None, last_lr=None):
        super().__init__()
        self.total_steps = total_steps
        self.max_lr = max_lr
        self.start_lr = start_lr
        self.last_lr = last_lr

    def on_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate = one_cycle(
            batch, self.total_steps, self.max_lr, self.start_lr, self.last_lr)
