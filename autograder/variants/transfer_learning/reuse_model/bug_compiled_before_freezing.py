"""B is compiled (and its training step built) before the layers are frozen: in Keras 3.15.1 the list of trainable variables is fixed when the training step is first built, so a later freeze has no effect until the next compile. Freeze first and return B uncompiled; the caller compiles it."""
def reuse_model(model_a, n_outputs=1, activation="sigmoid"):
    clone = keras.models.clone_model(model_a)
    clone.set_weights(model_a.get_weights())
    body = [l for l in clone.layers if not isinstance(l, keras.layers.InputLayer)][:-1]
    head = keras.layers.Dense(n_outputs, activation=activation)
    model_b = keras.Sequential([keras.Input(shape=model_a.input_shape[1:])] + body + [head])
    model_b.compile(loss="binary_crossentropy", optimizer="sgd")
    for layer in body:
        layer.trainable = False
    return model_b
