"""Pre-warmed kernels: one sandboxed process per grading worker that has already imported
ipykernel, IPython, NumPy and the chapter modules, and forks a fresh kernel for each submission.

Why: profiling plain ``nbgrader autograde`` (``benchmarks/grade_class.py --profile``) shows that
about half of each notebook's time is a new Python process importing ipykernel and IPython before
the kernel is ready, and a good part of the rest is the notebook importing NumPy; on two cores
that CPU is what bounds throughput. A forked child starts with all of it done (copy-on-write), so a
kernel is ready in a fraction of the time. Each child is still a separate kernel process with
nothing of any other submission in it.

Isolation: the zygote runs in the same bubblewrap sandbox as a single kernel would (no network,
read-only system and course files, no solutions or submissions), as root inside it but with every
capability dropped except CAP_SETUID/CAP_SETGID, CAP_KILL, CAP_CHOWN and CAP_SYS_ADMIN (the last two
only so that each child can make its own namespaces and scratch space). It serves one uid, the worker's, given on its command
line; it forks kernels for that uid only, and answers only root (the grader), checked by the
socket's peer credentials, on a socket that only root can reach whatever the umask. Each child,
before running any student code:

- enters a mount and an IPC namespace of its own: its SysV shared memory, semaphores and message
  queues die with it, and the next kernel cannot see them;
- mounts a tmpfs of bounded size (``scratch_bytes``) as its scratch space: its working folder (a
  copy of the submission's files) and its HOME (also its TMPDIR) live there, so the total a submission can
  write is bounded, and everything it wrote goes when its namespace does (no cleanup walks it);
- drops to the worker's unprivileged uid with the resource limits, ``no_new_privs`` and a seccomp
  filter (:mod:`tdnn.grade.seccomp`: no user namespaces, memfd or SysV shared memory, the ways to
  hold memory no limit counts), so it can neither signal nor trace the zygote.

When its kernel ends, every process of that uid is killed, so nothing a submission leaves behind
reaches the next one.

Protocol: one JSON request per connection on a Unix socket, one JSON reply. Besides starting,
polling, signalling and reaping kernels, ``{"op": "stats"}`` answers how many kernels this zygote
has forked and what its warm-up could not do (:data:`tdnn.grade.warm.problems`), so that the
grader can tell that kernels were forked, and report a failed warm-up once.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import signal
import socket
import struct
import sys

from tdnn.grade import seccomp, warm

_LIMITS = {
    "cpu_seconds": resource.RLIMIT_CPU,
    "memory_bytes": resource.RLIMIT_AS,
    "file_bytes": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
    "processes": resource.RLIMIT_NPROC,
}


# ---------------------------------------------------------------- inside the sandbox

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p)
CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 2, 4, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _private_scratch(request: dict, uid: int) -> tuple[str, str]:
    """In the forked child, still root: own mount and IPC namespaces, and a tmpfs of bounded size
    holding the kernel's working folder and HOME (also its TMPDIR: the zygote's /tmp is not
    writable). Returns (working folder, HOME)."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    scratch = request["scratch"]
    options = f"size={int(request['scratch_bytes'])},mode=0755"
    _check(_libc.mount(b"tdnn-scratch", scratch.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                       options.encode()), "mount the scratch tmpfs")
    work, home = os.path.join(scratch, "work"), os.path.join(scratch, "home")
    # The submission's files, as nbgrader copied them (links copied as links, never followed).
    shutil.copytree(request["template"], work, symlinks=True)
    os.mkdir(home)
    for folder, dirs, files in os.walk(scratch):
        for name in (folder, *(os.path.join(folder, n) for n in dirs + files)):
            os.chown(name, uid, uid, follow_symlinks=False)
    return work, home


def _become_kernel(request: dict, uid: int) -> None:
    """In the forked child: own namespaces and scratch space, then drop to the worker's uid and
    limits, then run the kernel."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # its own process group, so the zygote can signal it and its children at once
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("1000")  # should the machine run out of memory, a kernel is the first to go
    work, home = _private_scratch(request, uid)
    for key, limit in request["limits"].items():
        resource.setrlimit(_LIMITS[key], (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    seccomp.install()  # no user namespaces, memfd or SysV shm: memory no limit would count
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # from root to a plain uid: every capability is gone too
    os.chdir(work)
    os.environ.update(request.get("env", {}))
    os.environ.update(HOME=home, TMPDIR=home, IPYTHONDIR=f"{home}/.ipython",
                      MPLCONFIGDIR=f"{home}/.matplotlib")
    sys.argv = ["ipykernel_launcher", *request["argv"]]
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # fresh entropy, as a new process would have
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=request["argv"])


def _reap_all(block: bool = True) -> None:
    while True:
        try:
            if os.waitpid(-1, 0 if block else os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


#: Kernels forked so far by this zygote.
_spawned = 0


def _handle(request: dict, listener: socket.socket, uid: int) -> dict:
    global _spawned
    op = request["op"]
    if op == "stats":
        return {"spawned": _spawned, "problems": list(warm.problems)}
    if op == "spawn":
        if request.get("uid", uid) != uid:
            raise PermissionError(f"this zygote forks kernels for uid {uid} only")
        _spawned += 1
        pid = os.fork()
        if pid == 0:
            listener.close()
            try:
                _become_kernel(request, uid)
            except BaseException:  # noqa: BLE001 - the child must never return into the server
                import traceback

                traceback.print_exc()
                os._exit(1)
            finally:
                os._exit(0)
        return {"pid": pid}
    if op == "poll":
        try:
            done, status = os.waitpid(request["pid"], os.WNOHANG)
        except ChildProcessError:
            return {"returncode": -9}
        return {"returncode": None if done == 0 else os.waitstatus_to_exitcode(status)}
    if op == "signal":
        try:
            os.killpg(request["pid"], request["signum"])
        except ProcessLookupError:
            pass
        return {}
    if op == "reap":
        _kill_uid(uid)
        _reap_all(block=False)
        return {}
    if op == "exit":
        raise SystemExit(0)
    raise ValueError(op)


#: keyctl's system call number (glibc has no wrapper) and the operations used.
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
KEYCTL_CLEAR, KEYCTL_GET_PERSISTENT = 7, 22
KEY_SPEC_PROCESS_KEYRING, KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING = -2, -4, -5


def clear_keyrings() -> None:
    """As the uid: empty its keyrings, which live in the host kernel, outlive every process of
    the uid and would carry data from one submission to the next."""
    if SYS_KEYCTL is None:
        return
    keyctl = _libc.syscall
    keyctl.restype = ctypes.c_long
    for keyring in (KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING):
        keyctl(SYS_KEYCTL, KEYCTL_CLEAR, ctypes.c_long(keyring))
    persistent = keyctl(SYS_KEYCTL, KEYCTL_GET_PERSISTENT, ctypes.c_long(-1),
                        ctypes.c_long(KEY_SPEC_PROCESS_KEYRING))
    if persistent > 0:
        keyctl(SYS_KEYCTL, KEYCTL_CLEAR, ctypes.c_long(persistent))


def as_uid(uid: int, action) -> None:
    """Run ``action()`` in a forked child that has become ``uid`` (its gid too), and wait for it:
    for what only the uid itself may do (signal all of its processes at once, empty its
    keyrings) without the caller giving up root."""
    child = os.fork()
    if child == 0:
        try:
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            action()
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def _kill_all_then_clear_keyrings() -> None:
    os.kill(-1, signal.SIGKILL)  # as a plain uid, -1 reaches exactly that uid's processes
    clear_keyrings()


def _kill_uid(uid: int) -> None:
    """Kill every process of ``uid``: all that its kernels left running (daemons, forks that
    escaped their group), since the zygote forks for that uid only; then empty its keyrings."""
    as_uid(uid, _kill_all_then_clear_keyrings)


def _peer_uid(conn: socket.socket) -> int:
    pid, uid, gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                       struct.calcsize("3i")))
    return uid


def serve(path: str, uid: int) -> None:
    if uid <= 0:
        raise SystemExit("the zygote needs the unprivileged uid it forks kernels for")
    os.umask(0o077)  # whatever the instructor's umask: the socket is root's alone
    warm.warm_up()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(8)
    while True:
        conn, _ = listener.accept()
        if _peer_uid(conn) != 0:  # only the grader, never a kernel, whatever the file modes
            conn.close()
            continue
        with conn, conn.makefile("rw") as stream:
            try:
                reply = _handle(json.loads(stream.readline()), listener, uid)
            except SystemExit:
                # Leave in order, every child reaped, so that the CPU time of all the kernels
                # is accounted to the grader (bubblewrap waits for us, the worker for it).
                stream.write("{}\n")
                stream.flush()
                _kill_uid(uid)
                _reap_all()
                return
            except Exception as err:  # a bad request must not take the zygote down
                reply = {"error": f"{type(err).__name__}: {err}"}
            stream.write(json.dumps(reply) + "\n")
            stream.flush()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
