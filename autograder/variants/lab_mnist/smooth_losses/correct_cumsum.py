"""The recurrence unrolled: avg_t = beta**t * sum_j (1 - beta) * beta**(-j) * loss_j."""
def smooth_losses(losses, beta=0.98):
    x = np.asarray(losses, dtype=np.float64)
    t = np.arange(1, len(x) + 1)
    avg = beta**t * np.cumsum((1 - beta) * beta ** (-t) * x)
    return avg / (1 - beta**t)
