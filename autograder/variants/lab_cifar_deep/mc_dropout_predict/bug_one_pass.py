"""Only one stochastic pass is returned (the loop overwrites its result): MC dropout averages
n_samples passes; collect them and take their mean."""
def mc_dropout_predict(model, X, n_samples=100):
    for _ in range(n_samples):
        y_proba = model(X, training=True)
    return keras.ops.convert_to_numpy(y_proba)
