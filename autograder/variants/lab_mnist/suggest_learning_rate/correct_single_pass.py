"""One pass that tracks the best index and stops at divergence."""
def suggest_learning_rate(rates, smoothed, divide_by=10, diverge_factor=4):
    best = 0
    for i in range(1, len(smoothed)):
        loss = smoothed[i]
        if not np.isfinite(loss) or loss > diverge_factor * smoothed[best]:
            break
        if loss < smoothed[best]:
            best = i
    return rates[best] / divide_by
