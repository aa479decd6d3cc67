def piecewise_constant(step, boundaries, values):
    """np.digitize with right=False returns the number of boundaries <= step."""
    return np.asarray(values, dtype=float)[np.digitize(step, boundaries)]
