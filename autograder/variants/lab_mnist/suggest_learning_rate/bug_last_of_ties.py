"""Among equally low losses the last one is taken (<= instead of <), a larger rate than the
rule's first one. Update the best index only on a strictly lower loss."""
def suggest_learning_rate(rates, smoothed, divide_by=10, diverge_factor=4):
    best = 0
    for i in range(1, len(smoothed)):
        if not np.isfinite(smoothed[i]) or smoothed[i] > diverge_factor * min(smoothed[:i]):
            break
        if smoothed[i] <= smoothed[best]:
            best = i
    return rates[best] / divide_by
