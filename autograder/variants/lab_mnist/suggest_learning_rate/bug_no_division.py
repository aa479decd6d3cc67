"""The rate at the minimum itself: there the loss is about to blow up, and training at it is
unstable. Return that rate divided by divide_by."""
def suggest_learning_rate(rates, smoothed, divide_by=10, diverge_factor=4):
    stop = len(smoothed)
    for i in range(1, len(smoothed)):
        if not np.isfinite(smoothed[i]) or smoothed[i] > diverge_factor * min(smoothed[:i]):
            stop = i
            break
    return rates[int(np.argmin(smoothed[:stop]))]
