def one_cycle(step, total_steps, max_lr, start_lr=None, last_lr=None):
    """np.select with strict comparisons (< instead of <=): the pieces join, so it is the same."""
    if start_lr is None:
        start_lr = max_lr / 10
    if last_lr is None:
        last_lr = start_lr / 1000
    p = np.asarray(step) / total_steps
    rising = start_lr + (max_lr - start_lr) * (p / 0.45)
    falling = max_lr - (max_lr - start_lr) * ((p - 0.45) / 0.45)
    annihilation = start_lr - (start_lr - last_lr) * ((p - 0.9) / 0.1)
    return np.select([p < 0.45, p < 0.9], [rising, falling], default=annihilation)
