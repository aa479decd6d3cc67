def l2_penalty(weights, lam):
    """½·lam·Σ‖W‖², each squared norm as a dot product of the flattened array with itself."""
    total = 0.0
    for w in weights:
        flat = np.ravel(w)
        total += np.dot(flat, flat)
    return lam / 2 * total
