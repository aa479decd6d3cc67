"""The step read from the optimizer's own counter (the number of updates done so far), the
defaults resolved in the constructor."""
class OneCycleScheduler(keras.callbacks.Callback):
    def __init__(self, total_steps, max_lr, start_lr=None, last_lr=None):
        super().__init__()
        self.total_steps = total_steps
        self.max_lr = max_lr
        self.start_lr = max_lr / 10 if start_lr is None else start_lr
        self.last_lr = self.start_lr / 1000 if last_lr is None else last_lr

    def on_train_batch_begin(self, batch, logs=None):
        step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        lr = one_cycle(step, self.total_steps, self.max_lr, self.start_lr, self.last_lr)
        self.model.optimizer.learning_rate.assign(lr)
