"""Each layer rebuilt from its config, its weights copied, in a functional model."""
def reuse_model(model_a, n_outputs=1, activation="sigmoid"):
    inputs = keras.Input(shape=model_a.input_shape[1:])
    x = inputs
    layers = [l for l in model_a.layers if not isinstance(l, keras.layers.InputLayer)]
    for layer in layers[:-1]:
        copy = layer.__class__.from_config(layer.get_config())
        x = copy(x)
        copy.set_weights(layer.get_weights())
        copy.trainable = False
    outputs = keras.layers.Dense(n_outputs, activation=activation)(x)
    return keras.Model(inputs, outputs)
