"""The matrix is transposed: it must have shape (fan_in, fan_out), one row per input (x @ W with x of shape (batch, fan_in)), not (fan_out, fan_in)."""
def he_normal(fan_in, fan_out, rng):
    return np.sqrt(2.0 / fan_in) * rng.standard_normal((fan_out, fan_in))
