"""Walks down from the layer below the head, counting the layers it unfreezes."""
def unfreeze(model, n_layers=None):
    count = 0
    for layer in reversed(model.layers[:-1]):
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if n_layers is not None and count >= n_layers:
            break
        layer.trainable = True
        count += 1
