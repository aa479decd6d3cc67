"""math.pow works on one number only: an array of steps makes it raise. Use NumPy arithmetic
(** or np.power), which works on numbers and arrays alike."""
import math


def exponential_schedule(step, lr0, s):
    return lr0 * math.pow(0.1, step / s)
