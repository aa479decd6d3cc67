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
"""
from __future__ import annotations

import gc


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


def trim_tracebacks() -> None:
    """Remove the two wastes of IPython's traceback formatting described above."""
    from IPython.core.interactiveshell import InteractiveShell

    store = InteractiveShell._format_exception_for_storage

    def format_for_history(self, exception, *args, **kwargs):
        if not self.history_manager.enabled:
            return {}  # nobody keeps it
        return store(self, exception, *args, **kwargs)

    InteractiveShell._format_exception_for_storage = format_for_history

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


def warm_up() -> None:
    import_kernel_modules()
    trim_tracebacks()
    format_one_traceback()
    # Objects made so far belong to the zygote: a collection in a kernel then leaves them (and
    # the pages they sit on, shared copy-on-write with the zygote) alone.
    gc.freeze()
