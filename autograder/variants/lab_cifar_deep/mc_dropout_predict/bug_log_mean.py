"""The log-probabilities are averaged (a geometric mean): the rows no longer sum to 1; average
the probabilities themselves."""
def mc_dropout_predict(model, X, n_samples=100):
    logs = [np.log(keras.ops.convert_to_numpy(model(X, training=True))) for _ in range(n_samples)]
    return np.exp(np.mean(logs, axis=0))
