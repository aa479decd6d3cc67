"""The rate is set once, when training starts, and never again: the schedule must be applied
before every batch (on_batch_begin), not in on_train_begin."""
class OneCycleScheduler(keras.callbacks.Callback):
    def __init__(self, total_steps, max_lr, start_lr=None, last_lr=None):
        super().__init__()
        self.total_steps = total_steps
        self.max_lr = max_lr
        self.start_lr = start_lr
        self.last_lr = last_lr
        self.step = 0

    def on_train_begin(self, logs=None):
        self.model.optimizer.learning_rate = one_cycle(
            self.step, self.total_steps, self.max_lr, self.start_lr, self.last_lr)
        self.step += 1
