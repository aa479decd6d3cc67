"""The numbers come from NumPy's global generator (np.random.normal), not from the rng argument: the same seed does not give the same matrix, and the caller's global random state changes. Draw with rng.normal or rng.standard_normal."""
def he_normal(fan_in, fan_out, rng):
    return np.random.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
