"""The course's default late rule, as numbers: a late submission loses ``PER_DAY`` of its score
for each day, or part of a day, past the due date, at most ``CAP`` of it.

Kept apart from :mod:`tdnn.late_penalty` (the nbgrader plugin that applies it) so that the book
can state the rule without importing nbgrader: its students' page inserts these numbers
(``{{ late_per_day }}``, ``{{ late_cap }}``), and the student edition, which has no nbgrader,
builds that page too. An instructor changes the rule in ``nbgrader_config.py``
(``c.DailyLatePenalty.per_day``, ``c.DailyLatePenalty.cap``), not here.
"""
PER_DAY = 0.10
CAP = 0.50


def percent(share: float) -> str:
    """``0.1`` -> ``"10 %"``, as the book writes shares."""
    return f"{100 * share:g} %"
