def he_normal(fan_in, fan_out, rng):
    # As keras.initializers.HeNormal draws: a normal truncated at two standard deviations
    # (values outside are drawn again), its scale divided by the std of a truncated standard
    # normal, so that the result keeps the std sqrt(2 / fan_in).
    std = np.sqrt(2.0 / fan_in) / 0.87962566103423978
    w = np.empty((fan_in, fan_out))
    todo = np.ones(w.shape, dtype=bool)
    while todo.any():
        w[todo] = rng.normal(0.0, std, size=todo.sum())
        todo = np.abs(w) > 2 * std
    return w
