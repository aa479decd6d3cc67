def one_cycle(step, total_steps, max_lr, start_lr=None, last_lr=None):
    """A broken line through (0, start), (0.45, max), (0.9, start), (1, last): np.interp."""
    start_lr = max_lr / 10 if start_lr is None else start_lr
    last_lr = start_lr / 1000 if last_lr is None else last_lr
    p = np.divide(step, total_steps)
    return np.interp(p, [0.0, 0.45, 0.9, 1.0], [start_lr, max_lr, start_lr, last_lr])
