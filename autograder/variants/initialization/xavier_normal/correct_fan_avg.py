def xavier_normal(fan_in, fan_out, rng):
    fan_avg = (fan_in + fan_out) / 2
    variance = 1.0 / fan_avg
    return rng.normal(loc=0.0, scale=variance ** 0.5, size=(fan_in, fan_out))
