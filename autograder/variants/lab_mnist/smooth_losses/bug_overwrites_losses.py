"""The smoothed values are written over the caller's losses (the array is modified in place),
so the raw curve is lost. Write into a new array."""
def smooth_losses(losses, beta=0.98):
    out = losses if isinstance(losses, np.ndarray) else np.array(losses, dtype=float)
    avg = 0.0
    for t in range(1, len(out) + 1):
        avg = beta * avg + (1 - beta) * out[t - 1]
        out[t - 1] = avg / (1 - beta**t)
    return out
