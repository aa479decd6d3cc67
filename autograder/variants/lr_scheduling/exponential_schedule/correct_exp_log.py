def exponential_schedule(step, lr0, s):
    """0.1**x written as exp(-x * ln 10)."""
    return lr0 * np.exp(-np.log(10.0) * np.asarray(step, dtype=float) / s)
