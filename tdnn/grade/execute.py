"""nbgrader's ``Execute`` preprocessor, with the kernel in the sandbox and outputs bounded."""
from __future__ import annotations

from nbgrader.preprocessors import Execute
from jupyter_core.utils import run_sync
from nbformat.notebooknode import NotebookNode
from traitlets import Integer

from .sandbox import SandboxedKernelManager


class SandboxedExecute(Execute):
    """Runs each submission in a :class:`SandboxedKernelManager` kernel.

    nbgrader's ``Execute`` forces its own kernel manager class in ``__init__``, so this subclass
    forces ours instead; every other option (``timeout``, ``interrupt_on_timeout``, ...) is
    nbgrader's, read from ``nbgrader_config.py`` as for ``Execute``."""

    max_output_bytes = Integer(
        2 * 1024**2,
        help="Stop recording a cell's outputs beyond this many bytes; LimitOutput would cut "
        "them anyway, and an endless print loop must not fill the grader's memory.",
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(*args, **kwargs)
        self._output_bytes: dict[int, int] = {}

    def preprocess(self, nb, resources=None, km=None):
        try:
            return super().preprocess(nb, resources, km)
        finally:
            # nbclient skips the kernel manager's cleanup when the kernel died; the scratch
            # folder and any process left over must go all the same.
            manager = getattr(self, "km", None)
            if isinstance(manager, SandboxedKernelManager) and manager.scratch is not None:
                run_sync(manager._async_cleanup_resources)()

    def output(self, outs: list[NotebookNode], msg: dict, display_id, cell_index: int):
        used = self._output_bytes.get(cell_index, 0)
        if used > self.max_output_bytes:
            return None
        size = len(str(msg.get("content", "")))
        self._output_bytes[cell_index] = used + size
        if used + size > self.max_output_bytes:
            outs.append(NotebookNode(output_type="stream", name="stderr", text=(
                f"\n[grader] output beyond {self.max_output_bytes} bytes was dropped\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)
