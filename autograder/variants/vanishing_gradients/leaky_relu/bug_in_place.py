"""`x[x < 0] *= alpha` changes the caller's array: the values returned are right, but x is gone. Work on a copy (x.copy()) or build a new array with np.where."""
def leaky_relu(x, alpha=0.01):
    x[x < 0] *= alpha
    return x
