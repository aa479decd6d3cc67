"""The functional API, each hidden layer's activation given to the Dense layer itself."""
def build_deep_mlp(n_hidden=20, n_neurons=100, activation="elu", initializer="he_normal",
                   batch_norm=False, n_outputs=10, input_shape=(32, 32, 3)):
    inputs = keras.Input(shape=input_shape)
    x = keras.layers.Flatten()(inputs)
    for _ in range(n_hidden):
        if batch_norm:
            x = keras.layers.Dense(n_neurons, kernel_initializer=initializer, use_bias=False)(x)
            x = keras.layers.BatchNormalization()(x)
            x = keras.layers.Activation(activation)(x)
        else:
            x = keras.layers.Dense(n_neurons, activation=activation,
                                   kernel_initializer=initializer)(x)
    outputs = keras.layers.Dense(n_outputs, activation="softmax")(x)
    return keras.Model(inputs, outputs)
