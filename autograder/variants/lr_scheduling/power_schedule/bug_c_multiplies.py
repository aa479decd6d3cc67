"""c multiplies instead of being the exponent: lr0 / (1 + c*step/s) is an inverse-time decay with
rate c, not the power schedule lr0 / (1 + step/s)**c."""
def power_schedule(step, lr0, s, c=1):
    return lr0 / (1 + c * np.asarray(step) / s)
