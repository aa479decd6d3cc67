"""w *= lam changes the caller's weights in place (the layer's own weight matrix!) and returns them: compute a new array, lam * w, and leave w alone."""
def l2_grad(w, lam):
    w *= lam
    return w
