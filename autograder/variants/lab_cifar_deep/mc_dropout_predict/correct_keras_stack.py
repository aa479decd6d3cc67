"""The passes stacked and averaged with keras.ops, returned as a Keras tensor."""
def mc_dropout_predict(model, X, n_samples=100):
    passes = keras.ops.stack([model(X, training=True) for _ in range(n_samples)])
    return keras.ops.mean(passes, axis=0)
