"""Vectorised: the running minimum of the points before each one, and the first that diverges."""
def suggest_learning_rate(rates, smoothed, divide_by=10, diverge_factor=4):
    s = np.asarray(smoothed, dtype=float)
    before = np.minimum.accumulate(np.r_[np.inf, s[:-1]])
    with np.errstate(invalid="ignore"):
        diverged = ~np.isfinite(s) | (s > diverge_factor * before)
    diverged[0] = False
    stop = int(np.argmax(diverged)) if diverged.any() else len(s)
    return np.asarray(rates, dtype=float)[np.argmin(s[:stop])] / divide_by
