"""np.argmax(boundaries > step) finds the first boundary still ahead, but after the last boundary
there is none: argmax of all-False is 0, so the rate jumps back to values[0]. Count the
boundaries <= step instead (that count is len(boundaries) after the last one); and an argmax
over the boundaries cannot handle an array of steps either."""
def piecewise_constant(step, boundaries, values):
    return values[int(np.argmax(np.asarray(boundaries) > step))]
