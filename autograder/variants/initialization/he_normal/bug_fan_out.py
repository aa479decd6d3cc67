"""fan_out where fan_in belongs: He's variance 2/fan_in keeps the forward signal's variance, and each output sums fan_in inputs."""
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))
