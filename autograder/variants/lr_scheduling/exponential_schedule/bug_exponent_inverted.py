"""The exponent is upside down: 0.1**(s/step) starts at 0 (and is 0.1 only at step s). The rate
is divided by 10 every s steps: lr0 * 0.1**(step/s)."""
def exponential_schedule(step, lr0, s):
    return lr0 * 0.1 ** (s / np.asarray(step, dtype=float))
