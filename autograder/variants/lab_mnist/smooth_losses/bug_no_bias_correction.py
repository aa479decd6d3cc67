"""No bias correction: the average starts at 0, so its first values are far too low (after one
loss, only (1 - beta) times it). Divide avg by 1 - beta**t, t = 1 for the first loss."""
def smooth_losses(losses, beta=0.98):
    out = np.zeros(len(losses))
    avg = 0.0
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        out[i] = avg
    return out
