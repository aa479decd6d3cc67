"""Divergence ignored: np.nanargmin over the whole curve picks a low loss that comes after the
loss exploded, when the weights are already wrecked. Ignore every point from the first one that
exceeds diverge_factor times the lowest loss before it."""
def suggest_learning_rate(rates, smoothed, divide_by=10, diverge_factor=4):
    s = np.where(np.isfinite(smoothed), smoothed, np.nan)
    return rates[int(np.nanargmin(s))] / divide_by
