"""Helpers shared by the book, the exercises, the grading tools and the tests of the course
*Training Deep Neural Networks*.

Modules, one job each:

- :mod:`tdnn.paths`      where things live in the repository
- :mod:`tdnn.data`       MNIST, Fashion-MNIST and CIFAR-10, online or from real offline copies
"""
