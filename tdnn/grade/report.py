"""The instructor's reports of a graded batch, in ``autograder/reports/<assignment>/``.

- ``grades.csv``: nbgrader's own CSV export (the same file ``nbgrader export`` writes);
- ``grades.png``: the distribution of scores per exercise part;
- feedback for submissions nbgrader could not grade (nbgrader's ``generate_feedback`` writes the
  others): an HTML page in the student's feedback folder saying why and that every part scored 0;
- :func:`summary`: the table printed at the end of a batch.
"""
from __future__ import annotations

import collections
import html
import statistics
from pathlib import Path

from . import driver
from ..chapters import part_of


def _course(settings: driver.Settings):
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=driver.load_config(settings))


def part_scores(settings: driver.Settings) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Each part's score per student and each part's maximum, from the gradebook."""
    from nbgrader.api import Gradebook

    coursedir = _course(settings)
    scores: dict[str, dict[str, float]] = collections.defaultdict(dict)
    maxima: dict[str, float] = collections.defaultdict(float)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        assignment = gb.find_assignment(settings.assignment)
        for notebook in assignment.notebooks:
            for cell in notebook.grade_cells:
                maxima[part_of(cell.name)] += cell.max_score
        for submission in gb.assignment_submissions(settings.assignment):
            per_part = collections.defaultdict(float)
            for nb in submission.notebooks:
                for grade in nb.grades:
                    per_part[part_of(grade.name)] += grade.score or 0.0
            scores[submission.student.id] = dict(per_part)
    by_part = {part: [scores[s].get(part, 0.0) for s in sorted(scores)] for part in maxima}
    return by_part, dict(maxima)


def summary(settings: driver.Settings, outcomes: dict[str, driver.Outcome]) -> str:
    """Students graded, failures by reason, and the mean and median score of each part."""
    graded = sum(o.status == "graded" for o in outcomes.values())
    failed = [o for o in outcomes.values() if o.status == "failed"]
    errors = [o for o in outcomes.values() if o.status == "error"]
    lines = [f"{settings.assignment}: {len(outcomes)} submissions, {graded} graded, "
             f"{len(failed)} could not be graded (scored 0)"
             + (f", {len(errors)} NOT SCORED because of the grader" if errors else "")]
    for reason, count in collections.Counter(o.reason for o in failed).most_common():
        lines.append(f"  {count:4d} x {reason}")
    for outcome in sorted(errors, key=lambda o: o.student):
        lines.append(f"  grader error, {outcome.student}: {outcome.reason}")
    by_part, maxima = part_scores(settings)
    lines.append(f"  {'part':<12}{'max':>6}{'mean':>8}{'median':>8}")
    for part, values in by_part.items():
        mean = statistics.fmean(values) if values else 0.0
        median = statistics.median(values) if values else 0.0
        lines.append(f"  {part:<12}{maxima[part]:>6g}{mean:>8.2f}{median:>8.2f}")
    return "\n".join(lines)


def export_csv(settings: driver.Settings, dest: Path) -> Path:
    """nbgrader's CSV export of the whole gradebook (what ``nbgrader export`` writes)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    coursedir = _course(settings)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        CsvExportPlugin(to=str(dest)).export(gb)
    return dest


def plot_distribution(settings: driver.Settings, dest: Path) -> Path:
    """One histogram of scores per part, side by side, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_part, maxima = part_scores(settings)
    fig, axes = plt.subplots(1, len(by_part), figsize=(2.6 * len(by_part), 2.8), sharey=True,
                             squeeze=False)
    for ax, (part, values) in zip(axes[0], by_part.items()):
        top = maxima[part]
        ax.hist(values, bins=[b - 0.25 for b in range(int(top) + 2)], rwidth=0.8)
        ax.set_title(part)
        ax.set_xlabel(f"points (of {top:g})")
        ax.set_xticks(range(int(top) + 1))
    axes[0][0].set_ylabel("students")
    fig.suptitle(f"{settings.assignment}: {len(next(iter(by_part.values()), []))} submissions")
    fig.tight_layout()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(dest, dpi=100)
    plt.close(fig)
    return dest


def write_failure_feedback(settings: driver.Settings, outcome: driver.Outcome) -> Path:
    """The page a student gets when the submission could not be graded at all."""
    coursedir = _course(settings)
    folder = Path(coursedir.format_path(coursedir.feedback_directory, outcome.student,
                                        settings.assignment))
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{settings.assignment}.html"
    page.write_text(
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(settings.assignment)}: feedback</title></head><body>\n"
        f"<h1>{html.escape(settings.assignment)}: your submission could not be graded</h1>\n"
        f"<p>{html.escape(outcome.reason)}</p>\n"
        "<p>Every part of this assignment scored 0. Ask your instructor if you think this is "
        "wrong.</p>\n</body></html>\n", encoding="utf-8")
    return page


def plot_path(settings: driver.Settings) -> Path:
    return driver.reports_folder(settings) / "grades.png"


def write_reports(settings: driver.Settings, outcomes: dict[str, driver.Outcome],
                  plotted: bool = False) -> list[Path]:
    """CSV, plot (unless ``plotted`` by this batch already) and the failed students' feedback;
    returns the files written."""
    out = driver.reports_folder(settings)
    written = [export_csv(settings, out / "grades.csv"),
               plot_path(settings) if plotted else plot_distribution(settings, plot_path(settings))]
    written += [write_failure_feedback(settings, o) for o in outcomes.values()
                if o.status == "failed"]
    return written
