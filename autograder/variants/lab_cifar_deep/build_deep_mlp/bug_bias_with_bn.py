"""The Dense layers keep their bias with batch normalization: BatchNormalization subtracts the
mean, which cancels any bias, and its beta already plays that role; use use_bias=False."""
def build_deep_mlp(n_hidden=20, n_neurons=100, activation="elu", initializer="he_normal",
                   batch_norm=False, n_outputs=10, input_shape=(32, 32, 3)):
    model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, kernel_initializer=initializer))
        if batch_norm:
            model.add(keras.layers.BatchNormalization())
        model.add(keras.layers.Activation(activation))
    model.add(keras.layers.Dense(n_outputs, activation="softmax"))
    return model
