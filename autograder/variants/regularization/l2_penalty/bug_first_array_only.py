"""Only the first array of the list is penalized (a return inside the loop?): the penalty sums ½·lam·‖W‖² over every array in weights."""
def l2_penalty(weights, lam):
    for w in weights:
        return 0.5 * lam * np.sum(w ** 2)
