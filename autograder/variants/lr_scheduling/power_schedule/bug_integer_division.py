"""Integer division: step // s rounds down, so the rate stays at lr0 for the first s steps and then
drops in stairs. The schedule is smooth: use the true division step / s."""
def power_schedule(step, lr0, s, c=1):
    return lr0 / (1 + step // s) ** c
