"""beta and 1 - beta swapped: each new loss gets weight beta (0.98), so the "average" follows
the raw losses and smooths nothing. avg = beta * avg + (1 - beta) * loss."""
def smooth_losses(losses, beta=0.98):
    out = np.zeros(len(losses))
    avg = 0.0
    for t, loss in enumerate(losses, start=1):
        avg = (1 - beta) * avg + beta * loss
        out[t - 1] = avg / (1 - (1 - beta) ** t)
    return out
