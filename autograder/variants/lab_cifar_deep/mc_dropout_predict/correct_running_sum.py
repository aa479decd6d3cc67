"""A running sum of the passes with keras.ops, divided at the end."""
def mc_dropout_predict(model, X, n_samples=100):
    total = 0.0
    for _ in range(n_samples):
        total = total + model(X, training=True)
    return keras.ops.convert_to_numpy(total / n_samples)
