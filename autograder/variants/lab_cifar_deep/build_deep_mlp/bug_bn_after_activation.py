"""BatchNormalization comes after the activation: Dense(activation=...) then BatchNormalization.
The lab (after Ioffe and Szegedy) normalizes before the activation: Dense without activation,
BatchNormalization, then Activation(activation)."""
def build_deep_mlp(n_hidden=20, n_neurons=100, activation="elu", initializer="he_normal",
                   batch_norm=False, n_outputs=10, input_shape=(32, 32, 3)):
    model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation=activation,
                                     kernel_initializer=initializer, use_bias=not batch_norm))
        if batch_norm:
            model.add(keras.layers.BatchNormalization())
    model.add(keras.layers.Dense(n_outputs, activation="softmax"))
    return model
