"""An if/for on step works for one number only: with an array of steps, `step < b` is an array
and `if` cannot decide it (ValueError: truth value of an array is ambiguous). Compute the index
for every element at once (np.searchsorted(..., side='right'), or a sum of step >= b)."""
def piecewise_constant(step, boundaries, values):
    for b, v in zip(boundaries, values):
        if step < b:
            return v
    return values[-1]
