def selu_grad(x):
    return 1.0507009873554805 * elu_grad(x, alpha=1.6732632423543772)
