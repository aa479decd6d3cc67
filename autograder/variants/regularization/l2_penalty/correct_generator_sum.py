def l2_penalty(weights, lam):
    """½·lam·Σ‖W‖², summing each array's squares with np.square."""
    return 0.5 * lam * sum(float(np.square(w).sum()) for w in weights)
