"""The numbers come from NumPy's global generator (np.random.randn), not from the rng argument: the same seed does not give the same matrix, and the caller's global random state changes. Draw with rng.normal or rng.standard_normal."""
def xavier_normal(fan_in, fan_out, rng):
    return np.sqrt(2.0 / (fan_in + fan_out)) * np.random.randn(fan_in, fan_out)
