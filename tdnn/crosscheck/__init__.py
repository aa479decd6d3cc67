"""Keras cross-checks that are answers themselves, kept apart from the chapter modules.

The reference build compares every hidden case with what Keras' own functions compute
(:func:`tdnn.chapters.keras_side`). For most chapters that is a Keras class a student cannot
paste in (``keras.optimizers.Adam``), and the check lives in the chapter module. Where the Keras
recipe *is* the exercise (transfer learning's clone, copy, freeze; regularization's
``keras.layers.Dropout`` wrapped in the exercise's forward/backward interface), it lives here: the chapter
module is imported by the student's notebook and ships in the student edition; this package is
imported by no notebook and stays in the instructor's kit.
"""
