def leaky_relu(x, alpha=0.01):
    # for 0 <= alpha <= 1, the larger of x and alpha*x is the right branch
    return np.maximum(x, alpha * x)
