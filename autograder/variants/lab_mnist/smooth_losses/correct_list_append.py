"""A list built with append, turned into an array at the end."""
def smooth_losses(losses, beta=0.98):
    out, avg = [], 0
    for loss in losses:
        avg = beta * avg + (1 - beta) * loss
        out.append(avg / (1 - beta ** (len(out) + 1)))
    return np.array(out, dtype=float)
