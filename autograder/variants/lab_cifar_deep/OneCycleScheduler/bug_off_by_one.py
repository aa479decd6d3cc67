"""The step is counted before it is used: the first batch trains with one_cycle(1, ...) instead
of one_cycle(0, ...), and every rate is one step ahead; use the counter, then add 1."""
class OneCycleScheduler(keras.callbacks.Callback):
    def __init__(self, total_steps, max_lr, start_lr=None, last_lr=None):
        super().__init__()
        self.total_steps = total_steps
        self.max_lr = max_lr
        self.start_lr = start_lr
        self.last_lr = last_lr
        self.step = 0

    def on_batch_begin(self, batch, logs=None):
        self.step += 1
        self.model.optimizer.learning_rate = one_cycle(
            self.step, self.total_steps, self.max_lr, self.start_lr, self.last_lr)
