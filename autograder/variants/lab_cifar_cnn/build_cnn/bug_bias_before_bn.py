"""The convolution keeps its bias with bn="before": BatchNormalization subtracts the batch mean,
which cancels any bias, so it is a wasted parameter per channel (and β already plays its role).
Give the convolution use_bias=False when bn == "before"."""
def build_cnn(bn="before", pooling="gap", downsample="maxpool", filters=(32, 64), n_outputs=10,
              input_shape=(32, 32, 3)):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for f in filters:
        x = keras.layers.Conv2D(f, 3, strides=2 if downsample == "stride" else 1,
                                padding="same")(x)
        if bn == "before":
            x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation("relu")(x)
        if bn == "after":
            x = keras.layers.BatchNormalization()(x)
        if downsample == "maxpool":
            x = keras.layers.MaxPooling2D(2)(x)
    x = (keras.layers.GlobalAveragePooling2D() if pooling == "gap" else keras.layers.Flatten())(x)
    return keras.Model(inputs, keras.layers.Dense(n_outputs, activation="softmax")(x))
