def xavier_normal(fan_in, fan_out, rng):
    return np.sqrt(2 / (fan_in + fan_out)) * rng.standard_normal((fan_in, fan_out))
