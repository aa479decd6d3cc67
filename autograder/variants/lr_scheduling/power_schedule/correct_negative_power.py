def power_schedule(step, lr0, s, c=1):
    """lr0 * (1 + step/s) ** (-c), with np.power."""
    return lr0 * np.power(1.0 + np.divide(step, s), -c)
