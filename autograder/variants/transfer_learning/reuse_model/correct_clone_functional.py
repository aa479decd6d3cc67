"""clone_model + set_weights, then a functional model on the clone's second-to-last output."""
def reuse_model(model_a, n_outputs=1, activation="sigmoid"):
    clone = keras.models.clone_model(model_a)
    clone.set_weights(model_a.get_weights())
    for layer in clone.layers[:-1]:
        layer.trainable = False
    out = keras.layers.Dense(n_outputs, activation=activation)(clone.layers[-2].output)
    return keras.Model(clone.inputs, out)
