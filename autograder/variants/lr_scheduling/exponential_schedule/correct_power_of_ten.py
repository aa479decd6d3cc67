def exponential_schedule(step, lr0, s):
    """lr0 * 10**(-step/s), with np.power."""
    return lr0 * np.power(10.0, -np.divide(step, s))
