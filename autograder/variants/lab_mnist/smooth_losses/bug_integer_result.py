"""The result array is made like the losses (np.zeros_like / np.empty_like), so integer losses
give an integer array and every average is truncated. Make a float array: np.zeros(len(losses))."""
def smooth_losses(losses, beta=0.98):
    out = np.zeros_like(np.asarray(losses))
    avg = 0.0
    for t, loss in enumerate(losses, start=1):
        avg = beta * avg + (1 - beta) * loss
        out[t - 1] = avg / (1 - beta**t)
    return out
