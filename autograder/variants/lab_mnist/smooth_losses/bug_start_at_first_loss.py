"""The average starts at the first loss instead of 0 (pandas' ewm(adjust=False)), with no bias
correction: the first loss weighs far too much for the first ~1/(1 - beta) outputs. Start from
avg = 0 and divide by 1 - beta**t."""
def smooth_losses(losses, beta=0.98):
    out = np.zeros(len(losses))
    avg = losses[0]
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        out[i] = avg
    return out
