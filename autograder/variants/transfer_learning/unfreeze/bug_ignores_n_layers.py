"""Every layer was made trainable whatever n_layers says: with n_layers given, only the top n_layers reused layers (just below the head) may become trainable; the lower ones stay frozen."""
def unfreeze(model, n_layers=None):
    for layer in model.layers:
        layer.trainable = True
