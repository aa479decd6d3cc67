"""math.pow works on one number only: an array of steps makes it raise. Use NumPy arithmetic
(** or np.power), which works on numbers and arrays alike."""
import math


def power_schedule(step, lr0, s, c=1):
    return lr0 / math.pow(1 + step / s, c)
