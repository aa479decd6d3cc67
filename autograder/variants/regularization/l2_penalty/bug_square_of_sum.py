"""This squares the sum of the weights, (Σw)², instead of summing their squares, Σw²: square each element first, then add them up."""
def l2_penalty(weights, lam):
    return 0.5 * lam * sum(np.sum(w) ** 2 for w in weights)
