def piecewise_constant(step, boundaries, values):
    """np.select: the first condition that holds picks its value."""
    step = np.asarray(step)
    conditions = [step < b for b in boundaries]
    return np.select(conditions, values[:-1], default=values[-1]) * 1.0
