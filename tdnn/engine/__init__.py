"""The exercise engine: one generic core that grades every chapter's notebook.

The kernel computes, the grader judges. A test cell runs the student's code and only *reports*
what it observed (:func:`tdnn.engine.report.emit`); the comparison with the expected outputs
happens in the grader's own process, in an nbgrader preprocessor
(:class:`tdnn.engine.judge.JudgeResults`), where nothing the student's code does can reach it,
against reference outputs the kernel never sees.

- :mod:`tdnn.engine.codec`       observations as JSON (arrays exact, NaN and all)
- :mod:`tdnn.engine.report`      kernel side: ``emit`` and ``run_hidden``, what test cells call
- :mod:`tdnn.engine.compare`     element-wise comparison and the teaching message
- :mod:`tdnn.engine.notebook`    the solution notebook run in-process, one part swapped
- :mod:`tdnn.engine.references`  reference outputs for every chapter (``make references``)
- :mod:`tdnn.engine.judge`       the nbgrader preprocessor that turns results into grades

A chapter is a module of :mod:`tdnn.chapters` (found by the assignment's name); see
``docs/exercise-contract.md`` for what one declares.
"""
