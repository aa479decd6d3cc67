def piecewise_constant(step, boundaries, values):
    """Count the boundaries that step has reached, element by element."""
    step = np.asarray(step)
    i = np.zeros(step.shape, dtype=int)
    for b in boundaries:
        i = i + (step >= b)
    return np.array(values, dtype=float)[i]
