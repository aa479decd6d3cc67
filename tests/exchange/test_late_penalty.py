"""The course's late rule: 10 % of the score per started day late, at most 50 % (configurable)."""
import pytest

from tdnn.late_penalty import DailyLatePenalty

DAY = 86400


@pytest.mark.parametrize("seconds_late, share", [
    (0, 0.0),              # on time
    (1, 0.1),              # a second late is a started day
    (DAY, 0.1),            # exactly one day
    (DAY + 1, 0.2),        # into the second day
    (3.5 * DAY, 0.4),
    (5 * DAY, 0.5),        # the cap
    (30 * DAY, 0.5),       # still the cap
])
def test_share_of_the_score_lost(seconds_late, share):
    """Does a submission this late lose this share of its score?"""
    penalty = DailyLatePenalty().late_submission_penalty("ada", 12.0, seconds_late)
    assert penalty == pytest.approx(12.0 * share), (
        f"{seconds_late} s late should cost {share:.0%} of 12 points, not {penalty}")


def test_rate_and_cap_are_settings():
    """Can a course change the rate and the cap in nbgrader_config.py?"""
    plugin = DailyLatePenalty(per_day=0.25, cap=1.0)
    assert plugin.late_submission_penalty("ada", 8.0, 3 * DAY) == pytest.approx(6.0)
    assert plugin.late_submission_penalty("ada", 8.0, 9 * DAY) == pytest.approx(8.0)
