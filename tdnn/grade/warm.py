"""What the kernel zygote does once so that each forked kernel does not (:mod:`tdnn.grade.zygote`).

Measured on one notebook's kernel, forked from a warm process (``benchmarks/grade_class.py``
explains the set-up): a kernel that runs the solution uses ~0.16 s of CPU, one that runs a blank
notebook ~1.1 s, nearly all of it IPython formatting the 18 tracebacks. Two pieces of that are
waste, and :func:`trim_tracebacks` removes them without changing a character of any output:

- IPython 9 formats every exception twice: once for the cell's output, and once more
  (``_format_exception_for_storage``) for the history database, which graded kernels run without
  (``--HistoryManager.enabled=False``); only ``%notebook`` ever reads that copy, and it needs the
  history that is off;
- stack_data, which IPython uses to colour the code of each traceback frame, defines a new Pygments
  lexer class for every frame it highlights, so Pygments compiles the whole Python grammar again
  each time (a lexer class compiles its rules once, on first use).

With both, and the traceback machinery warmed up before forking, the blank notebook's kernel
takes ~0.5 s of CPU and the solution's ~0.15 s.

Both replace names inside IPython and stack_data (:data:`PATCHED`). A release that renames or
drops one of them must not break grading: :func:`warm_up` checks that every name exists before
replacing it, leaves the library as it is where one is missing (kernels are then slower, outputs
the same), never raises, and lists what it could not do in :data:`problems`; the zygote hands that
list to the grader, which says so once per batch (not once per notebook).
"""
from __future__ import annotations

import gc
import importlib

#: The names :func:`trim_tracebacks` replaces: (module, attribute path).
PATCHED = (
    ("IPython.core.interactiveshell", "InteractiveShell._format_exception_for_storage"),
    ("stack_data.utils", "_pygmented_with_ranges"),
    ("stack_data.core", "_pygmented_with_ranges"),
)

#: What the warm-up could not do here (a missing name, a failed import), for the grader to report.
problems: list[str] = []


def missing_names() -> list[str]:
    """``module.attribute`` of every name in :data:`PATCHED` that this environment lacks."""
    out = []
    for module_name, attribute in PATCHED:
        try:
            obj = importlib.import_module(module_name)
            for part in attribute.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError):
            out.append(f"{module_name}.{attribute}")
    return out


def import_kernel_modules() -> None:
    """What a kernel imports before it is ready or while it runs a graded notebook."""
    import faulthandler  # noqa: F401
    import pdb  # noqa: F401
    import pwd  # noqa: F401
    import sqlite3  # noqa: F401

    import IPython.core.completerlib  # noqa: F401
    import IPython.core.debugger  # noqa: F401
    import IPython.core.logger  # noqa: F401
    import IPython.core.oinspect  # noqa: F401
    import IPython.extensions  # noqa: F401
    import IPython.extensions.storemagic  # noqa: F401
    import IPython.utils.wildcard  # noqa: F401
    import ipykernel.debugger  # noqa: F401  (debugpy alone is ~0.2 s)
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import ipykernel.zmqshell  # noqa: F401
    import numpy  # noqa: F401
    import psutil  # noqa: F401
    import tornado.platform.asyncio  # noqa: F401
    import tdnn.engine.report  # noqa: F401

    import_chapters()


def import_chapters() -> None:
    """Every chapter module (what a test cell imports), so no kernel imports one itself."""
    import importlib
    import pkgutil

    import tdnn.chapters

    for module in pkgutil.iter_modules(tdnn.chapters.__path__):
        try:
            importlib.import_module(f"tdnn.chapters.{module.name}")
        except Exception:  # a broken chapter fails in its own kernel, with its own traceback
            pass


def trim_tracebacks() -> list[str]:
    """Remove the two wastes of IPython's traceback formatting described above, each only where
    the names it replaces exist; returns the names that were missing (nothing replaced for them)."""
    missing = missing_names()
    if f"{PATCHED[0][0]}.{PATCHED[0][1]}" not in missing:
        _skip_history_formatting()
    if not any(name.startswith("stack_data.") for name in missing):
        _define_range_lexer_once()
    return missing


def _skip_history_formatting() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    store = InteractiveShell._format_exception_for_storage

    def format_for_history(self, exception, *args, **kwargs):
        if not self.history_manager.enabled:
            return {}  # nobody keeps it
        return store(self, exception, *args, **kwargs)

    InteractiveShell._format_exception_for_storage = format_for_history


def _define_range_lexer_once() -> None:
    import pygments
    import stack_data.core
    import stack_data.utils
    from pygments.lexers import get_lexer_by_name

    class RangeLexer(type(get_lexer_by_name("python3"))):
        """stack_data's MyLexer, defined once, with the ranges per instance."""

        def get_tokens(self, text):
            length = 0
            for ttype, value in super().get_tokens(text):
                if any(start <= length < end for start, end in self.ranges):
                    ttype = ttype.ExecutingNode
                length += len(value)
                yield ttype, value

    def pygmented_with_ranges(formatter, code, ranges):  # stack_data.utils', same output
        lexer = RangeLexer(stripnl=False)
        lexer.ranges = ranges
        try:
            highlighted = pygments.highlight(code, lexer, formatter)
        except Exception:
            highlighted = code
        return highlighted.splitlines()

    stack_data.utils._pygmented_with_ranges = pygmented_with_ranges
    stack_data.core._pygmented_with_ranges = pygmented_with_ranges


def format_one_traceback() -> None:
    """Compile the lexer and fill inspect's module cache once, before forking."""
    from IPython.core import ultratb

    def fail():
        raise ValueError("warming up")

    try:
        fail()
    except ValueError as err:
        ultratb.AutoFormattedTB(mode="Context").structured_traceback(
            type(err), err, err.__traceback__)


def warm_up() -> list[str]:
    """Everything above, in order; never raises. Returns (and keeps in :data:`problems`) what
    could not be done, each as one line for the instructor."""
    problems.clear()
    try:
        import_kernel_modules()
    except Exception as err:  # a kernel imports what it needs itself
        problems.append(f"warm-up: importing the kernel's modules failed ({type(err).__name__}: "
                        f"{err}); kernels import them themselves (slower)")
    try:
        missing = trim_tracebacks()
    except Exception as err:
        missing = []
        problems.append(f"warm-up: trimming traceback formatting failed ({type(err).__name__}: "
                        f"{err}); kernels format tracebacks as IPython does (slower)")
    for name in missing:
        problems.append(f"warm-up: {name} no longer exists (IPython or stack_data upgraded?): "
                        "kernels run without that trim of traceback formatting (slower, same "
                        "outputs); update tdnn/grade/warm.py")
    try:
        format_one_traceback()
    except Exception as err:
        problems.append(f"warm-up: formatting a traceback failed ({type(err).__name__}: {err})")
    # Objects made so far belong to the zygote: a collection in a kernel then leaves them (and
    # the pages they sit on, shared copy-on-write with the zygote) alone.
    gc.freeze()
    return list(problems)
