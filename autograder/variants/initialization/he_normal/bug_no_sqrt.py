"""The variance is passed where the standard deviation belongs: rng.normal(loc, scale) takes the std, sqrt(2/fan_in), not the variance 2/fan_in."""
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))
