"""The passes are returned stacked, shape (n_samples, len(X), n_classes), not averaged: take the
mean over the first axis."""
def mc_dropout_predict(model, X, n_samples=100):
    return np.stack([keras.ops.convert_to_numpy(model(X, training=True))
                     for _ in range(n_samples)])
