"""Divergence measured against the first loss instead of the lowest loss so far: a loss that
has already climbed well above its minimum still counts. Compare with min(smoothed[:i])."""
def suggest_learning_rate(rates, smoothed, divide_by=10, diverge_factor=4):
    stop = len(smoothed)
    for i in range(1, len(smoothed)):
        if not np.isfinite(smoothed[i]) or smoothed[i] > diverge_factor * smoothed[0]:
            stop = i
            break
    return rates[int(np.argmin(smoothed[:stop]))] / divide_by
