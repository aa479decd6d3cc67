"""The bias correction uses the step count from 0: the first output divides by 1 - beta**0 = 0.
Count t from 1: the t-th loss is corrected by 1 - beta**t."""
def smooth_losses(losses, beta=0.98):
    out = np.zeros(len(losses))
    avg = 0.0
    for t, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        out[t] = avg / (1 - beta**t)
    return out
