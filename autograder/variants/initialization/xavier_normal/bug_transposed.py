"""The matrix is transposed: it must have shape (fan_in, fan_out), one row per input (x @ W with x of shape (batch, fan_in)), not (fan_out, fan_in)."""
def xavier_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))
