LAMBDA_ALPHA = 1.7580993408473766
def selu(x):
    return 1.0507009873554805 * np.maximum(x, 0) + LAMBDA_ALPHA * np.expm1(np.minimum(x, 0))
