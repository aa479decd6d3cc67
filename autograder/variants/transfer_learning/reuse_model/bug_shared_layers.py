"""A's layer objects were put into B as they are: B shares them with A, so freezing them in B freezes them in A, and training B changes A. Clone the model (keras.models.clone_model) and copy the weights (set_weights(model_a.get_weights())) before reusing the layers."""
def reuse_model(model_a, n_outputs=1, activation="sigmoid"):
    body = [l for l in model_a.layers if not isinstance(l, keras.layers.InputLayer)][:-1]
    for layer in body:
        layer.trainable = False
    head = keras.layers.Dense(n_outputs, activation=activation)
    return keras.Sequential([keras.Input(shape=model_a.input_shape[1:])] + body + [head])
