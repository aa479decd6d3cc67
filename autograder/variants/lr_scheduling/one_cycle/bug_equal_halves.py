"""Phases in the wrong proportion: up for the first half and down for the second half leaves no
final phase. 1cycle goes up during the first 45 % of the steps, down to start_lr during the next
45 %, and to last_lr during the last 10 %."""
def one_cycle(step, total_steps, max_lr, start_lr=None, last_lr=None):
    start_lr = max_lr / 10 if start_lr is None else start_lr
    last_lr = start_lr / 1000 if last_lr is None else last_lr
    p = np.divide(step, total_steps)
    return np.interp(p, [0.0, 0.5, 1.0], [start_lr, max_lr, last_lr])
