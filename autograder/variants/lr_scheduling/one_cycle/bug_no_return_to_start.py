"""The rate never comes back to start_lr: after the peak it falls straight from max_lr to
last_lr. 1cycle comes down to start_lr at 90 % of the steps, and only then, in the last 10 %,
falls to last_lr."""
def one_cycle(step, total_steps, max_lr, start_lr=None, last_lr=None):
    start_lr = max_lr / 10 if start_lr is None else start_lr
    last_lr = start_lr / 1000 if last_lr is None else last_lr
    p = np.divide(step, total_steps)
    return np.interp(p, [0.0, 0.45, 1.0], [start_lr, max_lr, last_lr])
