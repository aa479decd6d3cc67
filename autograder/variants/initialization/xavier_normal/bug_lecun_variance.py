"""LeCun's variance 1/fan_in instead of Glorot's 2/(fan_in + fan_out): Xavier averages both fans, so that the backward pass (which sums fan_out gradients) keeps its variance too."""
def xavier_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
