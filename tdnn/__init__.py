"""Helpers shared by the book, the exercises, the grading tools and the tests of the course
*Training Deep Neural Networks*.

Modules, one job each:

- :mod:`tdnn.paths`      where things live in the repository
- :mod:`tdnn.data`       MNIST, Fashion-MNIST and CIFAR-10, online or from real offline copies
- :mod:`tdnn.surfaces`   the fast-optimizers chapter's bowl x²/20 + y², and optimizers walking it
- :mod:`tdnn.plots`      the course's figures (contours with trajectories, learning curves)
"""
