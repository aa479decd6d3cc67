"""if/elif on step works for one number only: with an array of steps, `p <= 0.45` is an array and
`if` cannot decide it (ValueError: truth value of an array is ambiguous). Compute every phase
for every element at once (np.where, np.interp)."""
def one_cycle(step, total_steps, max_lr, start_lr=None, last_lr=None):
    start_lr = max_lr / 10 if start_lr is None else start_lr
    last_lr = start_lr / 1000 if last_lr is None else last_lr
    p = step / total_steps
    if p <= 0.45:
        return start_lr + (max_lr - start_lr) * p / 0.45
    elif p <= 0.9:
        return max_lr + (start_lr - max_lr) * (p - 0.45) / 0.45
    return start_lr + (last_lr - start_lr) * (p - 0.9) / 0.1
