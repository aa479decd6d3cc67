"""LeCun's variance 1/fan_in instead of He's 2/fan_in: a ReLU zeroes half of its inputs, and He doubles the variance to make up for it; your std is sqrt(2) too small."""
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
