"""nbgrader's ``Execute`` preprocessor, made to lose one part, not the notebook, when a cell
kills its kernel; and that preprocessor with the kernel in the sandbox and outputs bounded.

:class:`PartwiseExecute` is what ``autograder/nbgrader_config.py`` runs in plain
``nbgrader autograde``; :class:`SandboxedExecute` (the class grader's) is the same with the
sandbox's kernel manager.
"""
from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import time

from jupyter_client.utils import ensure_async
from jupyter_core.utils import run_sync
from nbclient.client import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from .. import chapters
from .sandbox import SandboxedKernelManager


#: What part of a kernel message decodes to when the grader cannot decode it (JSON nested
#: thousands deep, which the kernel may send after raising its own recursion limit).
UNREADABLE = "tdnn-unreadable"


def _bounded(unpack):
    """``unpack`` of a jupyter_client session that returns a marker instead of raising
    ``RecursionError`` in the grader's process."""
    def unpack_bounded(data):
        try:
            return unpack(data)
        except RecursionError:
            return {UNREADABLE: True}
    return unpack_bounded


def error_output(ename: str, message: str) -> NotebookNode:
    """An error output as a kernel would record it: nbgrader scores a cell holding one 0."""
    return NotebookNode(output_type="error", ename=ename, evalue=message,
                        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {message}"])


class PartwiseExecute(Execute):
    """nbgrader's ``Execute``, except that a cell that stops the kernel costs its own part only.

    When the kernel dies while a cell runs (``os._exit``, a signal to itself, a CPU or memory
    limit), or a cell runs past the time limit and ignores the interrupt (so its kernel has to
    be stopped), that cell gets an error output saying so, the kernel is replaced by a fresh one
    (from the same kernel manager class, so a sandboxed one in the class grader), the set-up cells
    and the solution cells of the *other* parts that came before are run again silently (outputs
    discarded; test cells are not), and grading goes on with the next cell. The later cells of the
    part that stopped the kernel are not run: each gets an error saying why, and scores 0.

    A part stops the kernel at most once (its cells are skipped afterwards); the kernel is
    replaced at most ``max_restarts`` times in all (default: once per part), so a notebook that
    kills every fresh kernel still ends.

    The time limit per cell is ``timeout`` when the configuration sets it (the class grader's
    ``--cell-timeout`` does), else the chapter's ``LIMITS.cell_seconds``
    (:mod:`tdnn.chapters`)."""

    max_restarts = Integer(
        -1,
        help="Most fresh kernels one notebook may get after its kernel stopped; "
        "negative: one per graded part.",
    ).tag(config=True)

    max_output_bytes = Integer(
        2 * 1024**2,
        help="Stop recording a cell's outputs beyond this many bytes; LimitOutput would cut "
        "them anyway, and an endless print loop must not fill the grader's memory.",
    ).tag(config=True)

    max_notebook_output_bytes = Integer(
        8 * 1024**2,
        help="Stop recording any output once the notebook's outputs reach this many bytes.",
    ).tag(config=True)

    #: Kernel messages that add to a cell's outputs or replace outputs already recorded.
    OUTPUT_MESSAGES = frozenset({"stream", "display_data", "execute_result", "error",
                                 "update_display_data"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._configured_timeout = self.timeout if self._timeout_configured() else None

    # ------------------------------------------------------------ limits

    def _timeout_configured(self) -> bool:
        """Does the configuration set ``timeout`` for this class or one it inherits from?"""
        names = {cls.__name__ for cls in type(self).__mro__}
        return any(name in self.config and "timeout" in self.config[name] for name in names)

    def cell_limit(self, resources) -> int | None:
        """The cell time limit for this notebook: the configured one, else the chapter's."""
        if self._configured_timeout is not None:
            return self._configured_timeout
        assignment = ((resources or {}).get("nbgrader") or {}).get("assignment")
        try:
            return chapters.load(assignment).LIMITS.cell_seconds if assignment else \
                chapters.Limits.cell_seconds
        except (LookupError, AttributeError):
            return chapters.Limits.cell_seconds

    # ------------------------------------------------------------ the notebook

    def preprocess(self, nb, resources=None, km=None):
        # As nbconvert's ExecutePreprocessor.preprocess, with the cells run by _async_run_cells.
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.timeout = self.cell_limit(resources)
        self._begin_notebook()
        with self.setup_kernel():
            assert self.kc
            info_msg = self.wait_for_reply(self.kc.kernel_info())
            assert info_msg
            self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            run_sync(self._async_run_cells)()
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _begin_notebook(self) -> None:
        self._timed_out = None      # the limit in seconds, once the running cell overran it
        self._output_task = None    # the task reading the running cell's outputs
        self._restarts = 0
        self._output_bytes: dict[int, int] = {}  # recorded so far, per cell
        self._notebook_output_bytes = 0
        self._dropped: set[int] = set()          # cells told that outputs were dropped

    def _parts(self) -> list[str | None]:
        """The part of every cell: a graded cell's from its ``grade_id``; a cell the student
        added (no nbgrader metadata) belongs to the part above it; set-up cells to none."""
        cells = self.nb.cells
        solutions = {c.metadata["nbgrader"].get("grade_id") for c in cells
                     if c.metadata.get("nbgrader", {}).get("solution")}
        parts, current = [], None
        for cell in cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                parts.append(current)
                continue
            part = chapters.part_of(str(meta.get("grade_id", "")))
            current = part if part in solutions else None
            parts.append(current)
        return parts

    async def _async_run_cells(self) -> None:
        cells = self.nb.cells
        parts = self._parts()
        solutions = {p for p in parts if p is not None}
        limit = self.max_restarts if self.max_restarts >= 0 else max(1, len(solutions))
        replayable: list[int] = []       # set-up and solution cells that ran, in order
        stopped_by: dict[str | None, int] = {}  # part -> the cell that stopped the kernel
        skip: set[int] = set()           # cells never to run again (they stopped a kernel)
        given_up: str | None = None      # why no cell runs any more
        for index, cell in enumerate(cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            part = parts[index]
            if given_up is not None:
                cell.outputs = [error_output("CellNotRun", given_up)]
                continue
            if part is not None and part in stopped_by:
                culprit = cells[stopped_by[part]].metadata.get("nbgrader", {}).get("grade_id")
                where = f"in cell '{culprit}' " if culprit else ""
                cell.outputs = [error_output(
                    "CellNotRun", f"Not run: this part's code stopped the kernel above {where}"
                    "(see the error there), so this cell scores 0.")]
                continue
            failure = await self._async_run_cell(cell, index)
            if failure is None:
                if not self._is_test(cell):
                    replayable.append(index)
                continue
            cell.outputs.append(error_output(*failure))
            skip.add(index)
            if part is not None:
                stopped_by[part] = index
            # Replace the kernel, then bring it to where the notebook was, without this part.
            while True:
                given_up = await self._async_replace_kernel(limit)
                if given_up is not None:
                    break
                redo = [j for j in replayable if j not in skip and parts[j] not in stopped_by]
                failed = await self._async_replay(redo)
                if failed is None:
                    break
                skip.add(failed)

    @staticmethod
    def _is_test(cell) -> bool:
        meta = cell.metadata.get("nbgrader", {})
        return bool(meta.get("grade")) and not meta.get("solution")

    async def _async_run_cell(self, cell, index: int) -> tuple[str, str] | None:
        """Runs one cell; ``None`` when the kernel survived, else ``(ename, message)``."""
        self._timed_out = None
        try:
            await self.async_execute_cell(cell, index, store_history=True)
            return None
        except DeadKernelError:
            return "DeadKernelError", self.death_reason()
        except (RecursionError, KeyError) as err:  # a message the grader could not even read
            return "UnreadableOutput", (
                f"This cell's kernel sent a message the grader could not read "
                f"({type(err).__name__}), so the kernel was replaced; this part scores 0.")
        except CellTimeoutError:
            await self._async_drop_output_task()
            if self._timed_out is not None:
                ignored = " and ignored the interrupt" if self.interrupt_on_timeout else ""
                return "CellTimeoutError", (
                    f"This cell ran past the {self._timed_out} s limit{ignored}, so its kernel "
                    "was stopped.")
            return "CellTimeoutError", (
                f"This cell's output did not arrive within {self.iopub_timeout} s of its end, "
                "so its kernel was stopped.")

    async def _async_replay(self, indices: list[int]) -> int | None:
        """Runs these cells again in the fresh kernel, their new outputs discarded; returns the
        first that stops this kernel too (``None`` when all ran)."""
        display_ids, self._display_id_map = self._display_id_map, {}
        try:
            for j in indices:
                original = self.nb.cells[j]
                try:
                    if await self._async_run_cell(copy.deepcopy(original), j) is not None:
                        return j
                finally:
                    self.nb.cells[j] = original  # nbclient stores the copy in its place
            return None
        finally:
            self._display_id_map = display_ids

    async def _async_replace_kernel(self, limit: int) -> str | None:
        """Stops the current kernel and starts a fresh one through the same kernel manager class;
        returns why not (and leaves the stopped kernel for nbclient's cleanup) when it may not."""
        await self._async_stop_kernel()
        why = self.why_no_restart()
        if why is None and self._restarts >= limit:
            why = (f"Not run: the kernel stopped {self._restarts + 1} times in this notebook, "
                   "so the grader started no other.")
        if why is not None:
            return why
        self._restarts += 1
        self.log.warning("The kernel stopped; starting a fresh one (%d of at most %d)",
                         self._restarts, limit)
        if self.owns_km:
            await self._async_cleanup_kernel()  # forgets km and kc
            self.create_kernel_manager()
        else:  # the caller's kernel manager: start its kernel again
            if self.kc is not None:
                await ensure_async(self.kc.stop_channels())
                self.kc = None
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()
        return None

    async def _async_stop_kernel(self) -> None:
        """Kills the kernel if it still runs; its manager's resources go too."""
        assert self.km is not None
        with contextlib.suppress(RuntimeError):
            if await ensure_async(self.km.is_alive()):
                await ensure_async(self.km.shutdown_kernel(now=True))
        await self._async_release(self.km)

    async def _async_drop_output_task(self) -> None:
        # nbclient leaves the task reading the cell's outputs running when they time out; it
        # reads ``self.kc``, so it would swallow the next kernel's messages.
        task, self._output_task = self._output_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # ------------------------------------------------------------ hooks for subclasses

    def death_reason(self) -> str:
        """What to tell the student whose cell was running when the kernel died."""
        return ("The kernel died while running this cell: the code exited (os._exit), killed "
                "its own process, or went past the CPU or memory limit. The grader started a "
                "new kernel for the other parts; this part scores 0.")

    def why_no_restart(self) -> str | None:
        """Why the notebook may get no fresh kernel (``None``: it may)."""
        return None

    async def _async_release(self, km) -> None:
        """Frees what the kernel manager ``km`` holds for its (stopped) kernel."""

    # ------------------------------------------------------------ nbclient, adjusted

    async def _async_cleanup_kernel(self) -> None:
        km = self.km
        try:
            await super()._async_cleanup_kernel()
        finally:
            if km is not None:
                await self._async_release(km)

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self._output_task = asyncio.current_task()
        return await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timed_out = timeout
        reply = await super()._async_handle_timeout(timeout, cell)
        if reply is not None:  # the kernel was interrupted: nbgrader records this error
            message = f"This cell ran past the {timeout} s limit, so it was interrupted."
            reply["content"].update(ename="CellTimeoutError", evalue=message,
                                    traceback=[f"\x1b[0;31mCellTimeoutError\x1b[0m: {message}"])
        return reply


    def process_message(self, msg: dict, cell, cell_index: int):
        """nbclient's, with every output bounded in total, per cell and per notebook, whatever
        path it takes (printed, displayed, a result, a traceback, or a display replaced later
        through ``update_display_data``, which nbclient writes into earlier outputs directly);
        an output the grader cannot even turn into a notebook output (say, nested 700 deep)
        costs its cell, not the whole notebook."""
        unreadable = any(isinstance(msg.get(key), dict) and UNREADABLE in msg[key]
                         for key in ("content", "metadata"))
        if unreadable or (msg.get("msg_type") in self.OUTPUT_MESSAGES
                          and not self._charge(msg, cell_index)):
            self._note_dropped(cell.outputs, cell_index)
            return None
        try:
            return super().process_message(msg, cell, cell_index)
        except (RecursionError, ValueError, TypeError):
            self._output_bytes[cell_index] = self.max_output_bytes + 1
            self._note_dropped(cell.outputs, cell_index)
            return None

    def _charge(self, msg: dict, cell_index: int) -> bool:
        """Counts the message against the cell's and the notebook's budgets; ``False`` when it
        does not fit (then nothing more of this cell is recorded)."""
        used = self._output_bytes.get(cell_index, 0)
        if used > self.max_output_bytes:
            return False
        try:
            size = len(json.dumps(msg.get("content", {}), default=str))
        except (RecursionError, ValueError, TypeError):
            size = self.max_output_bytes + 1
        self._output_bytes[cell_index] = used + size
        if (used + size > self.max_output_bytes
                or self._notebook_output_bytes + size > self.max_notebook_output_bytes):
            self._output_bytes[cell_index] = self.max_output_bytes + 1
            return False
        self._notebook_output_bytes += size
        return True

    def _note_dropped(self, outs: list[NotebookNode], cell_index: int) -> None:
        if cell_index not in self._dropped:
            self._dropped.add(cell_index)
            outs.append(error_output("OutputDropped", (
                f"This cell's output went past {self.max_output_bytes} bytes (or the notebook's "
                f"past {self.max_notebook_output_bytes}), or could not be recorded, so the rest "
                "of it was dropped.")))

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        kc.session.unpack = _bounded(kc.session.unpack)
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def handle_comm_msg(self, outs, msg, cell_index: int) -> None:
        """Widget messages are not recorded: grading needs no widget state, and nbclient would
        keep all of it in memory and write it into the notebook, unbounded."""


class SandboxedExecute(PartwiseExecute):
    """Runs each submission in a :class:`SandboxedKernelManager` kernel.

    nbgrader's ``Execute`` forces its own kernel manager class in ``__init__``, so this subclass
    forces ours instead; every other option (``timeout``, ``interrupt_on_timeout``, ...) is
    nbgrader's, read from ``nbgrader_config.py`` as for ``Execute``. A fresh kernel after a
    crash is sandboxed (forked from the zygote) like the first, and gets what is left of the
    notebook's time limit, not a new one."""

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(*args, **kwargs)
        self._notebook_deadline: float | None = None
        self._notebook_seconds: int | None = None

    def preprocess(self, nb, resources=None, km=None):
        self._notebook_deadline = None
        try:
            return super().preprocess(nb, resources, km)
        finally:
            # nbclient skips the kernel manager's cleanup when the kernel died; the scratch
            # folder and any process left over must go all the same.
            manager = getattr(self, "km", None)
            if isinstance(manager, SandboxedKernelManager) and manager.scratch is not None:
                run_sync(manager._async_cleanup_resources)()

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        now = time.monotonic()
        if self._notebook_deadline is None:
            self._notebook_seconds = km.notebook_seconds
            self._notebook_deadline = now + km.notebook_seconds
        else:  # a fresh kernel: what is left of the notebook's time
            km.notebook_seconds = max(1, math.ceil(self._notebook_deadline - now))
        return km

    def _past_deadline(self) -> bool:
        return self._notebook_deadline is not None and time.monotonic() >= self._notebook_deadline

    def death_reason(self) -> str:
        if self._past_deadline():
            return (f"The notebook ran longer than {self._notebook_seconds} s in total, so its "
                    "kernel was stopped while running this cell.")
        km = self.km
        return ("The kernel died while running this cell: the code exited (os._exit), killed "
                f"its own process, or went past the limit on CPU time ({km.cpu_seconds} s) or "
                f"memory ({km.memory_bytes // 1024**2} MiB). The grader started a new kernel "
                "for the other parts; this part scores 0.")

    def why_no_restart(self) -> str | None:
        if self._past_deadline():
            return (f"Not run: the notebook ran longer than {self._notebook_seconds} s in total, "
                    "so its kernel was stopped.")
        return None

    async def _async_release(self, km) -> None:
        # jupyter_client cleans up a dead kernel with its base class's method, not ours.
        if isinstance(km, SandboxedKernelManager) and km.scratch is not None:
            await km._async_cleanup_resources()

