"""The sandbox every graded submission's kernel runs in.

What a submission's kernel may do
---------------------------------
The kernel is started by bubblewrap (``/usr/bin/bwrap``, Debian ``bubblewrap``) in fresh
PID, network, IPC, UTS and cgroup namespaces, then drops to an unprivileged uid of its own
(one uid per grading worker, so that ``RLIMIT_NPROC`` counts only that worker's processes) with
every capability gone. Inside it sees:

- read-only: the operating system (``/usr``, ``/etc``), the Python it runs (the venv and its base
  interpreter) and the ``tdnn`` package;
- read-write: only its own tmpfs of bounded size, holding a copy of its submission's files (its
  working folder) and its HOME/TMPDIR; it is thrown away with the kernel, so nothing the code
  writes reaches the instructor's files (nbgrader itself, outside the sandbox, writes the graded
  notebook); and, until they are sealed, its socket files;
- not at all: ``solutions/``, ``autograder/references/``, ``.git``, the gradebook, every
  ``submitted/``, ``autograded/`` and ``feedback/`` folder (its own included: the notebook file
  holds the hidden tests), the network.

Limits: wall-clock time per cell (nbgrader's ``ExecutePreprocessor.timeout``, then the kernel is
interrupted) and per notebook (the kernel is killed); CPU time per notebook (``RLIMIT_CPU``; BLAS
runs one thread, so a cell's CPU time is bounded by its wall-clock limit too); address space
(``RLIMIT_AS``), processes (``RLIMIT_NPROC``), file size (``RLIMIT_FSIZE``) and open files;
all it writes lives in a tmpfs of bounded size; and a seccomp filter (:mod:`tdnn.grade.seccomp`)
refuses the ways to hold memory that none of these count.
The kernel talks to the grader over Unix sockets (jupyter_client's ``ipc`` transport) in a folder
bound into the sandbox, since it has no network, not even localhost.

What the kernel may know
------------------------
The kernel computes, the grader judges (:mod:`tdnn.engine`): test cells only report what the
student's code produced, and the comparison with the reference outputs happens in the grader's
process, after the kernel is gone. ``autograder/references/`` is therefore not mounted: a
kernel can read the cases' inputs (they are in the chapter modules of ``tdnn``) but never what
they should give. Whatever code in the notebook does to the kernel (patching NumPy, the course's
modules, IPython's display or input transformers) can only spoil the results it reports, and a
missing or wrong result scores 0 with the reason in the feedback.

Kernels are normally forked from a pre-warmed zygote that runs in this same sandbox
(:mod:`tdnn.grade.zygote` explains how each child is confined to its submission); without it
(``prewarmed=False``) every kernel gets a bubblewrap sandbox of its own.

Where bubblewrap is missing or cannot create namespaces (e.g. inside some containers), grading
still runs, with the resource limits but without the filesystem and network isolation, and says
so (:func:`probe`).
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import multiprocessing.util
import dataclasses
import os
import signal
import socket
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from functools import lru_cache
from pathlib import Path

import zmq
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Any, Bool, Integer, Unicode

from .. import chapters, paths
from . import seccomp

BWRAP = "/usr/bin/bwrap"
SETPRIV = "/usr/bin/setpriv"
PRLIMIT = "/usr/bin/prlimit"
#: First uid of the sandboxes; worker i runs its kernels as SANDBOX_UID_BASE + i.
SANDBOX_UID_BASE = 61000


@dataclasses.dataclass(frozen=True)
class Limits(chapters.Limits):
    """Resource limits of one submission's kernel (seconds, bytes, counts): a chapter's time and
    memory limits, and what the sandbox bounds for every chapter alike."""

    processes: int = 64
    file_bytes: int = 64 * 1024**2      # one file (RLIMIT_FSIZE)
    scratch_bytes: int = 256 * 1024**2  # everything it writes: its tmpfs (working folder, HOME, /tmp)
    open_files: int = 256

    def prlimit_args(self, *, with_nproc: bool) -> list[str]:
        args = [
            f"--cpu={self.cpu_seconds}",
            f"--as={self.memory_bytes}",
            f"--fsize={self.file_bytes}",
            f"--nofile={self.open_files}",
            "--core=0",
        ]
        # RLIMIT_NPROC does not bind root; it is only set where the kernel runs as its own uid.
        if with_nproc:
            args.append(f"--nproc={self.processes}")
        return args


@dataclasses.dataclass(frozen=True)
class Probe:
    """Whether the sandbox works here, and if not, why."""

    sandboxed: bool
    reason: str


@lru_cache(maxsize=1)
def probe() -> Probe:
    """Can this machine run a kernel in the sandbox? Tries a real, minimal one."""
    if os.geteuid() != 0:
        return Probe(False, "the grader does not run as root, so it cannot give kernels their own uid")
    for tool in (BWRAP, SETPRIV, PRLIMIT):
        if not Path(tool).exists():
            return Probe(False, f"{tool} is missing (run .ci/install-system-packages)")
    with tempfile.TemporaryDirectory(prefix="tdnn-probe-") as work:
        os.chmod(work, 0o755)
        cmd = bwrap_command([sys.executable, "-c", "import numpy"], work=Path(work),
                            uid=SANDBOX_UID_BASE, limits=Limits(), work_target=Path(work) / "cwd")
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        return Probe(False, f"bubblewrap failed: {done.stderr.strip()[-300:]}")
    return Probe(True, "bubblewrap: no network, private filesystem view, own uid, rlimits")


#: Variables a kernel inherits from the grader: nbgrader's mode (test cells report results only
#: under ``autograde``) and what a Keras notebook needs to find its offline data.
PASSED_ENV = ("NBGRADER_EXECUTION", "TDNN_OFFLINE", "KERAS_HOME", "KERAS_BACKEND",
              "TF_CPP_MIN_LOG_LEVEL")


def passed_env() -> dict[str, str]:
    return {k: os.environ[k] for k in PASSED_ENV if k in os.environ}


def _readonly_roots(course_root: Path) -> list[Path]:
    """What the kernel must read: the interpreter, its packages and tdnn (never the references)."""
    tdnn_package = Path(__file__).resolve().parents[1]
    roots = [Path(sys.prefix), Path(sys.base_prefix), tdnn_package]
    return [r.resolve() for r in roots if r.exists()]


def _system_args() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    # Debian's merged /usr: /bin, /lib, ... are links into /usr.
    for name in ("bin", "sbin", "lib", "lib64", "lib32"):
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    return args


def _parents_args(path: Path, made: set[Path]) -> list[str]:
    # bwrap would create missing parents with the host's modes (e.g. /root is 0700), which the
    # unprivileged uid could not traverse; make them world-searchable in the sandbox's own tmpfs.
    args: list[str] = []
    for parent in reversed(path.parents):
        if parent == Path("/") or parent in made or str(parent) in ("/usr", "/etc"):
            continue
        made.add(parent)
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


#: The descriptor on which a kernel's own bubblewrap reads its seccomp filter.
SECCOMP_FD = 9

#: Where a kernel's own sandbox mounts the submission's files, to copy them into its tmpfs.
TEMPLATE_MOUNT = Path("/run/tdnn-template")


def bwrap_command(kernel_cmd: list[str], *, work: Path, uid: int, limits: Limits,
                  course_root: Path = paths.ROOT, binds: tuple[Path, ...] = (), chdir: Path | None = None,
                  work_target: Path | None = None, zygote: bool = False) -> list[str]:
    """The command that runs ``kernel_cmd`` in the sandbox.

    A kernel (``zygote=False``) runs as ``uid`` under ``limits``, in a working folder at
    ``work_target``: a tmpfs of ``limits.scratch_bytes`` into which, already as ``uid``, it copies
    the files of ``work`` (mounted read-only); its /tmp is another such tmpfs. ``binds`` are
    read-write folders (the kernel's socket folder). A ``zygote`` gets ``work`` read-write at
    ``work_target`` and keeps root with just the capabilities to switch uid, signal its children
    and give each its own namespaces and scratch tmpfs (:mod:`tdnn.grade.zygote`)."""
    work_target = work_target or work
    made: set[Path] = set()
    args = [BWRAP, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--hostname", "grading",
            "--clearenv", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    if zygote:
        # The zygote is the sandbox's pid 1 (no bubblewrap init, whose command line would show
        # the host's paths); it stays root, so it keeps the parent-death signal. A kernel's own
        # sandbox keeps bubblewrap's init: its command changes uid, which clears that signal.
        args += ["--as-pid-1", "--cap-add", "CAP_KILL", "--cap-add", "CAP_CHOWN",
                 "--cap-add", "CAP_SYS_ADMIN"]
    args += _system_args()
    args += ["--proc", "/proc", "--dev", "/dev"]
    if zygote:
        args += ["--perms", "0755", "--tmpfs", "/tmp"]
    else:
        args += ["--perms", "01777", "--size", str(limits.scratch_bytes), "--tmpfs", "/tmp"]
    for root in _readonly_roots(course_root):
        args += _parents_args(root, made) + ["--ro-bind", str(root), str(root)]
    for folder in (*binds,):
        args += _parents_args(folder, made) + ["--bind", str(folder), str(folder)]
    if zygote:
        args += _parents_args(work_target, made) + ["--bind", str(work), str(work_target)]
    else:
        args += _parents_args(TEMPLATE_MOUNT, made) + ["--ro-bind", str(work), str(TEMPLATE_MOUNT)]
        args += _parents_args(work_target, made) + [
            "--perms", "01777", "--size", str(limits.scratch_bytes), "--tmpfs", str(work_target)]
    full_env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(work_target),
        "TDNN_ROOT": str(course_root),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        **passed_env(),
    }
    for key, value in full_env.items():
        args += ["--setenv", key, value]
    args += ["--chdir", str(chdir or work_target), "--"]
    if zygote:
        return args + kernel_cmd
    args += [SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
             "--inh-caps=-all", "--bounding-set=-all", "--"]
    args += [PRLIMIT, *limits.prlimit_args(with_nproc=True), "--"]
    copy_in = 'cp -R -P -- "$0"/. "$1" && shift && exec "$@"'
    return args + ["/bin/sh", "-c", copy_in, str(TEMPLATE_MOUNT), str(work_target), *kernel_cmd]


def remove_tree(path: Path) -> None:
    """Delete a folder a kernel may have filled, whatever it holds: GNU ``rm`` walks any depth
    (Python's ``shutil.rmtree`` recurses, and raises ``RecursionError`` on a deep enough tree),
    never follows a link, and does not cross into another filesystem."""
    subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def clear_keyrings(uid: int) -> None:
    """Empty the keyrings of ``uid`` (they outlive its processes), as the zygote does after each
    of its kernels."""
    from . import zygote

    zygote.as_uid(uid, zygote.clear_keyrings)


def share_read_only(folder: Path) -> None:
    """Folders 0755 and files 0644 below ``folder`` (links left alone): the submission's files,
    which the kernel copies into its own scratch space as its unprivileged uid."""
    for parent, dirs, files in os.walk(folder):
        os.chmod(parent, 0o755)
        for name in files:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)


class Zygote:
    """The client side of one worker's pre-warmed kernel factory (:mod:`tdnn.grade.zygote`)."""

    def __init__(self, course_root: Path, uid: int):
        self.uid = uid
        self.root = Path(tempfile.mkdtemp(prefix="tdnn-zygote-"))
        os.chmod(self.root, 0o755)  # kernels reach their scratch folders below it ...
        control = self.root / "control"
        control.mkdir()
        os.chmod(control, 0o700)  # ... but never the zygote's socket, whatever the umask
        self.socket = control / "zygote.sock"
        cmd = bwrap_command([sys.executable, "-m", "tdnn.grade.zygote", str(self.socket), str(uid)],
                            work=self.root, uid=0, limits=Limits(), course_root=course_root,
                            zygote=True)
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the kernel zygote did not start")
            time.sleep(0.02)
        atexit.register(self.close)
        # Pool workers leave through os._exit, which skips atexit but runs these finalizers.
        multiprocessing.util.Finalize(self, self.close, exitpriority=10)

    def request(self, **request) -> dict:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(self.socket))
            with conn.makefile("rw") as stream:
                stream.write(json.dumps(request) + "\n")
                stream.flush()
                reply = json.loads(stream.readline())
        if "error" in reply:
            raise RuntimeError(f"kernel zygote: {reply['error']}")
        return reply

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(Exception):
                self.request(op="exit")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        remove_tree(self.root)


_zygotes: dict[tuple[Path, int], Zygote] = {}


def zygote_for(course_root: Path, uid: int) -> Zygote:
    """This process's zygote for ``course_root`` and kernels of ``uid``, started on first use."""
    key = (course_root, uid)
    if key not in _zygotes or _zygotes[key].process.poll() is not None:
        _zygotes[key] = Zygote(course_root, uid)
    return _zygotes[key]


class _ForkedKernel:
    """Stands for a forked kernel where jupyter_client expects a ``Popen``."""

    stdin = stdout = stderr = None

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote, self.pid, self.returncode = zygote, pid, None

    def poll(self):
        if self.returncode is None:
            self.returncode = self.zygote.request(op="poll", pid=self.pid)["returncode"]
        return self.returncode

    def wait(self, timeout=None):
        while self.poll() is None:
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            self.zygote.request(op="signal", pid=self.pid, signum=int(signum))

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ZygoteProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the kernel forked by the zygote, not spawned."""

    zygote = Any(None, allow_none=True)
    fork_request = Any(None, allow_none=True)

    async def launch_kernel(self, cmd, **kwargs):
        # IPython's input history is an sqlite file written after every cell: nobody reads a
        # graded kernel's history, so it is off (grades and outputs are the same either way).
        argv = [*cmd[cmd.index("ipykernel_launcher") + 1:], "--HistoryManager.enabled=False"]
        pid = self.zygote.request(op="spawn", argv=argv, **self.fork_request)["pid"]
        self.process = _ForkedKernel(self.zygote, pid)
        self.pid, self.pgid = pid, None  # signals go through the zygote (the pid is its own)
        self.cwd = f"{self.fork_request['scratch']}/work"
        return self.connection_info


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the sandbox, talking over Unix sockets.

    The files of the folder nbgrader starts the kernel in (``cwd``), without notebooks, are what
    the kernel copies into its own scratch tmpfs (its working folder). The kernel is killed when it
    outlives ``notebook_seconds``.

    Root never follows a path the kernel controls: the kernel's folder here (``scratch``) and
    everything in it are root's; the kernel may create entries only in ``sockets/`` and only
    until its five sockets are bound (before any notebook code runs), when the folder is sealed
    (root's, 0755) and each entry checked to be a socket of the kernel's uid, not a link; only
    then does the client connect. The kernel writes its files in its own tmpfs, which the grader
    never walks. No message larger than ``max_message_bytes`` reaches the grader's memory."""

    uid = Integer(SANDBOX_UID_BASE, help="The unprivileged uid the kernel runs as.").tag(config=True)
    sandboxed = Bool(True, help="False: rlimits only (bubblewrap unavailable).").tag(config=True)
    prewarmed = Bool(True, help="Fork kernels from a pre-warmed zygote (needs the sandbox).").tag(config=True)
    course_root = Unicode(str(paths.ROOT), help="The course the kernel grades.").tag(config=True)
    notebook_seconds = Integer(Limits.notebook_seconds).tag(config=True)
    cpu_seconds = Integer(Limits.cpu_seconds).tag(config=True)
    memory_bytes = Integer(Limits.memory_bytes).tag(config=True)
    processes = Integer(Limits.processes).tag(config=True)
    max_message_bytes = Integer(
        64 * 1024**2, help="ZeroMQ drops the connection of a kernel that sends a larger message, "
        "before the grader reads it.").tag(config=True)
    transport = Unicode("ipc")
    scratch = Any(None, allow_none=True)
    _deadline = Any(None, allow_none=True)

    @property
    def limits(self) -> Limits:
        return Limits(notebook_seconds=self.notebook_seconds, cpu_seconds=self.cpu_seconds,
                      memory_bytes=self.memory_bytes, processes=self.processes)

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        kc.context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)  # for every channel it opens
        return kc

    async def _async_pre_start_kernel(self, **kw):
        cwd = Path(kw.get("cwd") or os.getcwd())
        zygote = None
        if self.sandboxed and self.prewarmed:
            try:
                zygote = zygote_for(Path(self.course_root), self.uid)
            except (OSError, RuntimeError) as err:
                self.log.warning("no pre-warmed kernels (%s); one sandbox per kernel instead", err)
                self.prewarmed = False
        if zygote is not None:
            self.scratch = Path(tempfile.mkdtemp(prefix="kernel-", dir=zygote.root))
            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            self.provisioner = ZygoteProvisioner(kernel_id=self.kernel_id,
                                                 kernel_spec=self.kernel_spec, parent=self)
        else:
            self.scratch = Path(tempfile.mkdtemp(prefix="tdnn-kernel-"))
        sockets = self.scratch / "sockets"
        sockets.mkdir()
        self.ip = str(sockets / "kernel")
        self.connection_file = str(sockets / "connection.json")
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        # A SIGINT to the process group would also reach bubblewrap, which dies of it and takes
        # the kernel along; ask the kernel itself to interrupt (it signals only what it owns).
        self.kernel_spec.interrupt_mode = "message"
        # The kernel's own chatter (and a flood from hostile code) must not reach the grader's log.
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        template = self.scratch / "template"
        shutil.copytree(cwd, template, ignore=shutil.ignore_patterns("*.ipynb", ".*"), symlinks=True)
        if self.sandboxed:
            os.chmod(self.scratch, 0o755)
            os.chmod(sockets, 0o1733)  # the kernel may add its sockets, until they are sealed
            share_read_only(template)
            # Readable by the kernel (its group), writable by nobody but root.
            os.chown(self.connection_file, 0, self.uid, follow_symlinks=False)
            os.chmod(self.connection_file, 0o440)
        if zygote is not None:
            self.provisioner.zygote = zygote
            limits = self.limits
            (self.scratch / "kernel").mkdir()
            self.provisioner.fork_request = {
                "scratch": str(self.scratch / "kernel"), "template": str(template),
                "scratch_bytes": limits.scratch_bytes, "uid": self.uid, "env": passed_env(),
                "limits": {"cpu_seconds": limits.cpu_seconds, "memory_bytes": limits.memory_bytes,
                           "file_bytes": limits.file_bytes, "open_files": limits.open_files,
                           "processes": limits.processes}}
        elif self.sandboxed:
            kernel_cmd = bwrap_command(kernel_cmd, work=template, uid=self.uid, limits=self.limits,
                                       course_root=Path(self.course_root), binds=(sockets,),
                                       work_target=cwd)
            # bubblewrap reads the seccomp filter from a descriptor: a shell opens it, then execs.
            program = self.scratch / "seccomp.bpf"
            program.write_bytes(seccomp.program())
            kernel_cmd = ["/bin/sh", "-c", f'exec "$@" {SECCOMP_FD}<"$0"', str(program),
                          kernel_cmd[0], "--seccomp", str(SECCOMP_FD), *kernel_cmd[1:]]
        else:
            kernel_cmd = [PRLIMIT, *self.limits.prlimit_args(with_nproc=False), "--", *kernel_cmd]
            kw["cwd"] = str(template)
        return kernel_cmd, kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        await super()._async_launch_kernel(kernel_cmd, **kw)
        self._deadline = threading.Timer(self.notebook_seconds, self._kill_group)
        self._deadline.daemon = True
        self._deadline.start()
        if self.sandboxed:
            await self._seal_sockets()

    async def _seal_sockets(self, seconds: float = 60) -> None:
        """Wait until the kernel has bound its sockets, then take its socket folder back: from
        now on the entries root connects to (and, at cleanup, removes) cannot change."""
        sockets = Path(self.connection_file).parent
        names = [f"{Path(self.ip).name}-{port}" for port in
                 (self.shell_port, self.iopub_port, self.stdin_port, self.control_port,
                  self.hb_port)]
        folder = os.open(sockets, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            deadline = time.monotonic() + seconds
            while not all(self._is_kernel_socket(folder, n) for n in names):
                if time.monotonic() > deadline or not await self.is_alive():
                    break  # nbclient reports the kernel that never became ready
                await asyncio.sleep(0.01)
            os.fchmod(folder, 0o755)
            wrong = [n for n in names if not self._is_kernel_socket(folder, n)]
        finally:
            os.close(folder)
        if wrong and await self.is_alive():
            self._kill_group()
            raise RuntimeError(f"the kernel's sockets {wrong} are not sockets it bound")

    def _is_kernel_socket(self, folder: int, name: str) -> bool:
        try:
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except OSError:
            return False
        return stat.S_ISSOCK(info.st_mode) and info.st_uid == self.uid

    def _kill_group(self) -> None:
        if isinstance(self.provisioner, ZygoteProvisioner):
            process = self.provisioner.process
            if process is not None:
                with contextlib.suppress(Exception):
                    process.kill()
            return
        # The sandbox is one process group; killing it also ends the PID namespace inside.
        # Only while bubblewrap is unreaped is its pid (the group's id) surely still ours; once it
        # is gone, its PID namespace, and everything in it, is gone too.
        process = getattr(self.provisioner, "process", None)
        pgid = getattr(self.provisioner, "pgid", None)
        if pgid and process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGKILL)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._kill_group()  # whatever the code left behind (forks, daemons) ends with its kernel
        if isinstance(self.provisioner, ZygoteProvisioner) and self.provisioner.zygote:
            with contextlib.suppress(Exception):
                self.provisioner.zygote.request(op="reap", uid=self.uid)
        elif self.sandboxed:
            clear_keyrings(self.uid)
        await super()._async_cleanup_resources(restart=restart)
        if self.scratch is not None and not restart:
            remove_tree(self.scratch)
            self.scratch = None
