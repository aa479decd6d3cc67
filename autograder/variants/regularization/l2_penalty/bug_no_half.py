"""The penalty is missing its ½: the course (like Saito and Géron) writes it ½·lam·Σ‖W‖², so that its gradient is exactly lam·w. Keras' L2(l2) has no ½, which is why L2(l2=lam/2) is the same penalty."""
def l2_penalty(weights, lam):
    return lam * sum(np.sum(w ** 2) for w in weights)
