"""Unfreezes everything, then freezes again what lies below the top n_layers."""
def unfreeze(model, n_layers=None):
    layers = [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)]
    for layer in layers:
        layer.trainable = True
    if n_layers is not None:
        for layer in layers[:len(layers) - 1 - n_layers]:
            layer.trainable = False
