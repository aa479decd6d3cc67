"""The output layer uses the hidden activation instead of softmax: its outputs are not class
probabilities; the last layer is Dense(n_outputs, activation="softmax")."""
def build_deep_mlp(n_hidden=20, n_neurons=100, activation="elu", initializer="he_normal",
                   batch_norm=False, n_outputs=10, input_shape=(32, 32, 3)):
    model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
    for _ in range(n_hidden):
        if batch_norm:
            model.add(keras.layers.Dense(n_neurons, kernel_initializer=initializer,
                                         use_bias=False))
            model.add(keras.layers.BatchNormalization())
            model.add(keras.layers.Activation(activation))
        else:
            model.add(keras.layers.Dense(n_neurons, activation=activation,
                                         kernel_initializer=initializer))
    model.add(keras.layers.Dense(n_outputs, activation=activation))
    return model
