"""A uniform draw (Glorot *uniform*, Keras' default kernel initializer, limit sqrt(6/(fan_in + fan_out))): its std is right but the exercise asks for normal draws, rng.normal(0, std, ...)."""
def xavier_normal(fan_in, fan_out, rng):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
