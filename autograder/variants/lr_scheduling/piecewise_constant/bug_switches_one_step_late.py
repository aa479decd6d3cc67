"""Off by one at every boundary: counting the boundaries < step (step > b, or searchsorted's
default side='left') switches one step late, like Keras' PiecewiseConstantDecay. Here the value
changes *at* the boundary: count the boundaries <= step."""
def piecewise_constant(step, boundaries, values):
    return np.asarray(values, dtype=float)[np.searchsorted(boundaries, step)]
