"""Functional API with a linear Dense and a separate Softmax layer, and a dict of blocks."""
def build_cnn(bn="before", pooling="gap", downsample="maxpool", filters=(32, 64), n_outputs=10,
              input_shape=(32, 32, 3)):
    order = {"before": ["bn", "relu"], "after": ["relu", "bn"], None: ["relu"]}[bn]
    inputs = keras.Input(input_shape)
    x = inputs
    for f in filters:
        conv = keras.layers.Conv2D(filters=f, kernel_size=3, padding="same",
                                   strides=1 if downsample == "maxpool" else 2,
                                   use_bias=(bn != "before"))
        x = conv(x)
        for op in order:
            x = keras.layers.BatchNormalization()(x) if op == "bn" else keras.layers.ReLU()(x)
        if downsample == "maxpool":
            x = keras.layers.MaxPooling2D()(x)
    x = {"gap": keras.layers.GlobalAveragePooling2D(), "flatten": keras.layers.Flatten()}[pooling](x)
    x = keras.layers.Dense(n_outputs)(x)
    return keras.Model(inputs, keras.layers.Softmax()(x))
