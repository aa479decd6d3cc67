"""Wrong default: last_lr defaults to start_lr / 1000 (a thousandth of the *start* rate), not to
max_lr / 1000."""
def one_cycle(step, total_steps, max_lr, start_lr=None, last_lr=None):
    start_lr = max_lr / 10 if start_lr is None else start_lr
    last_lr = max_lr / 1000 if last_lr is None else last_lr
    p = np.divide(step, total_steps)
    return np.interp(p, [0.0, 0.45, 0.9, 1.0], [start_lr, max_lr, start_lr, last_lr])
