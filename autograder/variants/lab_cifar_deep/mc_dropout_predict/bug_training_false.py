"""The passes run with training=False (or model.predict), so dropout is off and every pass is the
same deterministic prediction; call model(X, training=True)."""
def mc_dropout_predict(model, X, n_samples=100):
    samples = [keras.ops.convert_to_numpy(model(X, training=False)) for _ in range(n_samples)]
    return np.mean(samples, axis=0)
