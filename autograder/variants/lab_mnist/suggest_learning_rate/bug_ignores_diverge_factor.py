"""diverge_factor is ignored (4 written in): a caller's stricter or looser threshold changes
nothing. Use the diverge_factor argument."""
def suggest_learning_rate(rates, smoothed, divide_by=10, diverge_factor=4):
    stop = len(smoothed)
    for i in range(1, len(smoothed)):
        if not np.isfinite(smoothed[i]) or smoothed[i] > 4 * min(smoothed[:i]):
            stop = i
            break
    return rates[int(np.argmin(smoothed[:stop]))] / divide_by
