"""The power c applies to step/s only: lr0 / (1 + (step/s)**c). It must apply to the whole
(1 + step/s): lr0 / (1 + step/s)**c. (With c = 1 both agree, so only c != 1 shows it.)"""
def power_schedule(step, lr0, s, c=1):
    return lr0 / (1 + (step / s) ** c)
