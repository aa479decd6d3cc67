"""The variance is 1/(fan_in + fan_out): the 2 is missing. Glorot's variance is 1/fan_avg with fan_avg = (fan_in + fan_out)/2, that is 2/(fan_in + fan_out); your std is sqrt(2) too small."""
def xavier_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
