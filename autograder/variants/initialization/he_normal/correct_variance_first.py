def he_normal(fan_in, fan_out, rng):
    variance = 2 / fan_in
    w = rng.normal(size=(fan_in, fan_out))
    return w * np.sqrt(variance)
