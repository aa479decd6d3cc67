"""keras.Sequential built from a list; ReLU folded into the convolution when nothing comes
between them, ReLU() layers otherwise; pool_size written out."""
def build_cnn(bn="before", pooling="gap", downsample="maxpool", filters=(32, 64), n_outputs=10,
              input_shape=(32, 32, 3)):
    layers = [keras.Input(shape=input_shape)]
    stride = 2 if downsample == "stride" else 1
    for f in filters:
        if bn == "before":
            layers += [keras.layers.Conv2D(f, (3, 3), strides=(stride, stride), padding="same",
                                           use_bias=False),
                       keras.layers.BatchNormalization(), keras.layers.ReLU()]
        else:
            layers.append(keras.layers.Conv2D(f, (3, 3), strides=stride, padding="same",
                                              activation="relu"))
            if bn == "after":
                layers.append(keras.layers.BatchNormalization())
        if downsample == "maxpool":
            layers.append(keras.layers.MaxPooling2D(pool_size=(2, 2)))
    head = keras.layers.GlobalAveragePooling2D() if pooling == "gap" else keras.layers.Flatten()
    return keras.Sequential(layers + [head, keras.layers.Dense(n_outputs, activation="softmax")])
