"""The initializer argument is ignored ("he_normal" written in the layer): pass
kernel_initializer=initializer, so that SELU gets LeCun normal initialization."""
def build_deep_mlp(n_hidden=20, n_neurons=100, activation="elu", initializer="he_normal",
                   batch_norm=False, n_outputs=10, input_shape=(32, 32, 3)):
    model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
    for _ in range(n_hidden):
        if batch_norm:
            model.add(keras.layers.Dense(n_neurons, kernel_initializer="he_normal",
                                         use_bias=False))
            model.add(keras.layers.BatchNormalization())
            model.add(keras.layers.Activation(activation))
        else:
            model.add(keras.layers.Dense(n_neurons, activation=activation,
                                         kernel_initializer="he_normal"))
    model.add(keras.layers.Dense(n_outputs, activation="softmax"))
    return model
