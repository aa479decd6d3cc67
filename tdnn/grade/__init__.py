"""Grading a class: the parallel, sandboxed driver over nbgrader's own API.

- :mod:`tdnn.grade.sandbox`  the bubblewrap sandbox and resource limits of a submission's kernel
- :mod:`tdnn.grade.zygote`   pre-warmed kernels, forked per submission inside the sandbox
- :mod:`tdnn.grade.warm`     what the zygote does once for every kernel (imports, traceback waste)
- :mod:`tdnn.grade.execute`  nbgrader's Execute, a crash costing one part; the sandboxed one
- :mod:`tdnn.grade.canary`   the solution, graded first as a student would hand it in
- :mod:`tdnn.grade.driver`   the batch: workers, resume, failures turned into zero grades
- :mod:`tdnn.grade.report`   summary table, CSV export, feedback for failures, grade plots
- ``python -m tdnn.grade``   the command line
"""
