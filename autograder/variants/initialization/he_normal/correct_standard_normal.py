def he_normal(fan_in, fan_out, rng):
    return rng.standard_normal(size=(fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
