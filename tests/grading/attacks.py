"""Submissions that attack the grading from inside the kernel, by routes a blocklist of
dangerous names would never finish listing. Each is graded by plain ``nbgrader autograde``
(``test_attacks_plain.py``) and by the class grader (``test_hostile.py``): since the kernel only
reports and the grader judges, every one of them must score 0 on the parts it tries to fake."""
from __future__ import annotations

import dataclasses
import textwrap

from tdnn import chapters

#: A wrong SGD: update() does nothing.
WRONG_SGD = textwrap.dedent("""\
    class SGD:
        def __init__(self, lr=0.01):
            self.lr = lr
        def update(self, params, grads):
            pass
    """)


@dataclasses.dataclass(frozen=True)
class Attack:
    why: str
    zero: frozenset          # parts that must score 0 (every other part keeps full marks)
    source: str              # what the student puts in the SGD cell
    blank: bool = False      # the other parts left unimplemented too

    def expected(self, points: dict) -> dict:
        """The score each test cell deserves."""
        from tdnn.chapters import part_of

        return {gid: 0.0 if part_of(gid) in self.zero else p for gid, p in points.items()}


#: Every part of the attacked chapter (the class the grading tests build is fast_optimizers).
ALL = frozenset(chapters.load("fast_optimizers").PARTS)

ATTACKS = {
    "alias_patch": Attack(
        "the chapter's check module, reached through an alias, made to accept anything",
        frozenset({"sgd"}), WRONG_SGD + textwrap.dedent("""\
            import importlib
            fo = importlib.import_module("tdnn." + "chapters.fast_optimizers")
            fo.compare = lambda *a, **k: None
            fo.check_steps = lambda *a, **k: None
            """)),
    "display_replaced": Attack(
        "IPython's exception display replaced, so failing checks show nothing",
        frozenset({"sgd"}), WRONG_SGD + textwrap.dedent("""\
            ip = get_ipython()
            ip.showtraceback = lambda *a, **k: None
            ip._showtraceback = lambda *a, **k: None
            """)),
    "tests_rewritten_to_pass": Attack(
        "an input transformer that rewrites every later cell to `pass`, every method unimplemented",
        ALL, "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n",
        blank=True),
    "tests_rewritten_to_a_score": Attack(
        "an input transformer that turns every later cell into a number nbgrader would take as "
        "partial credit", ALL,
        "get_ipython().input_transformers_post.append(lambda lines: ['3.0\\n'])\n", blank=True),
    "magic_line_then_patch": Attack(
        "a magic line (the cell is not plain Python) followed by a patch of the checks",
        frozenset({"sgd"}), "%time _ = 1\n" + WRONG_SGD + textwrap.dedent("""\
            import sys
            sys.modules["tdnn.chapters.fast_optimizers"].compare = lambda *a, **k: None
            """)),
    "comparisons_swapped": Attack(
        "NumPy's and the course's comparison functions swapped for ones that always agree",
        frozenset({"sgd"}), WRONG_SGD + textwrap.dedent("""\
            import numpy, tdnn.engine.compare as c
            numpy.allclose = lambda *a, **k: True
            numpy.array_equal = lambda *a, **k: True
            c.first_bad = lambda *a, **k: None
            """)),
    "reports_silenced": Attack(
        "the reporting function replaced by one that reports nothing (every later hidden test "
        "then reports nothing, so every part scores 0)",
        ALL, WRONG_SGD + textwrap.dedent("""\
            import tdnn.engine.report as r
            r.emit = lambda *a, **k: None
            """)),
    "visible_answer_echoed": Attack(
        "check_steps redefined to report the visible test's own expected answer (it is public), "
        "every method unimplemented", ALL, textwrap.dedent("""\
            from tdnn.engine.report import emit
            def check_steps(make_optimizer, start, grad_steps, expected_steps, what="optimizer"):
                emit(what, {"start": start, "steps": expected_steps, "error": None, "problem": None})
            """), blank=True),
    "float32_reported": Attack(
        "results cast to float32 so that the looser float32 tolerance would apply, on an SGD "
        "whose default learning rate is off by 0.1 % (the cast spoils every part's results)",
        ALL, textwrap.dedent("""\
            import numpy as _np, tdnn.chapters.fast_optimizers as _fo
            _orig = _fo.trajectory
            def _traj(*a, **k):
                obs = _orig(*a, **k)
                obs["steps"] = [{key: _np.asarray(v, dtype=_np.float32) for key, v in s.items()}
                                for s in obs["steps"]]
                return obs
            _fo.trajectory = _traj
            class SGD:
                def __init__(self, lr=0.01 * (1 + 1e-3)):
                    self.lr = lr
                def update(self, params, grads):
                    for key in params:
                        params[key] -= self.lr * grads[key]
            """)),
    "forged_report": Attack(
        "a wrong SGD whose update() also publishes a made-up result under the test's label",
        frozenset({"sgd"}), textwrap.dedent("""\
            from IPython.display import publish_display_data
            class SGD:
                def __init__(self, lr=0.01):
                    self.lr = lr
                def update(self, params, grads):
                    publish_display_data({"application/vnd.tdnn.result+json":
                        {"label": "SGD(lr=0.1)", "observation": {"steps": []}}})
            """)),
}
