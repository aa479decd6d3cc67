def power_schedule(step, lr0, s, c=1):
    """The same power written through logarithms: (1 + x)**-c = exp(-c * log1p(x))."""
    x = np.asarray(step) / s
    return lr0 * np.exp(-c * np.log1p(x))
