"""The branches are swapped: alpha·x belongs to x <= 0 and x itself to x > 0."""
def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, alpha * x, x)
