"""np.linalg.norm gives ‖W‖, the square root of the sum of squares; the ℓ2 penalty uses the squared norm ‖W‖² = Σw² (square the norm, or sum w**2 directly)."""
def l2_penalty(weights, lam):
    return 0.5 * lam * sum(np.linalg.norm(w) for w in weights)
