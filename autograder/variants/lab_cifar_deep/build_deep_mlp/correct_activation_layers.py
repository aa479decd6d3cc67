"""Géron's layout: the shape given to Flatten, every activation a layer of its own, and with
batch norm the inputs normalized too (a BatchNormalization right after Flatten)."""
def build_deep_mlp(n_hidden=20, n_neurons=100, activation="elu", initializer="he_normal",
                   batch_norm=False, n_outputs=10, input_shape=(32, 32, 3)):
    layers = [keras.layers.Flatten(input_shape=input_shape)]
    if batch_norm:
        layers.append(keras.layers.BatchNormalization())
    for _ in range(n_hidden):
        layers.append(keras.layers.Dense(n_neurons, kernel_initializer=initializer,
                                         use_bias=not batch_norm))
        if batch_norm:
            layers.append(keras.layers.BatchNormalization())
        layers.append(keras.layers.Activation(activation))
    layers.append(keras.layers.Dense(n_outputs))
    layers.append(keras.layers.Activation("softmax"))
    return keras.Sequential(layers)
