def xavier_normal(fan_in, fan_out, rng):
    # As keras.initializers.GlorotNormal draws: a normal truncated at two standard deviations
    # (values outside are drawn again), its scale divided by the std of a truncated standard
    # normal, so that the result keeps the std sqrt(2 / (fan_in + fan_out)).
    std = np.sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978
    w = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = np.abs(w) > 2 * std
    while outside.any():
        w[outside] = rng.normal(0.0, std, size=outside.sum())
        outside = np.abs(w) > 2 * std
    return w
