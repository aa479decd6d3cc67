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
capability dropped except CAP_SETUID/CAP_SETGID. Each child drops to the worker's unprivileged uid
with the resource limits before running any student code, so it can neither signal nor trace the
zygote; its HOME, TMPDIR, IPython and matplotlib folders live in its own scratch folder (the
sandbox's /tmp is not writable), and when its kernel ends every process of that uid is killed and
the folder deleted, so nothing a submission leaves behind reaches the next one.

Protocol: one JSON request per connection on a Unix socket, one JSON reply. Besides starting,
polling, signalling and reaping kernels, ``{"op": "stats"}`` answers how many kernels this zygote
has forked and what its warm-up could not do (:data:`tdnn.grade.warm.problems`), so that the
grader can tell that kernels were forked, and report a failed warm-up once.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import socket
import sys

from tdnn.grade import warm

_LIMITS = {
    "cpu_seconds": resource.RLIMIT_CPU,
    "memory_bytes": resource.RLIMIT_AS,
    "file_bytes": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
    "processes": resource.RLIMIT_NPROC,
}


# ---------------------------------------------------------------- inside the sandbox

def _become_kernel(request: dict) -> None:
    """In the forked child: drop to the student's uid and limits, then run the kernel."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # its own process group, so the zygote can signal it and its children at once
    home = request["home"]
    for key, limit in request["limits"].items():
        resource.setrlimit(_LIMITS[key], (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    uid = request["uid"]
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # from root to a plain uid: every capability is gone too
    os.chdir(request["cwd"])  # only now: the folder is the student's uid's, mode 0700
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


def _handle(request: dict, listener: socket.socket) -> dict:
    global _spawned
    op = request["op"]
    if op == "stats":
        return {"spawned": _spawned, "problems": list(warm.problems)}
    if op == "spawn":
        _spawned += 1
        pid = os.fork()
        if pid == 0:
            listener.close()
            try:
                _become_kernel(request)
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
        # Everything the submission left running (daemons, forks that escaped its group) runs as
        # its uid: a helper with that uid kills all of them at once.
        helper = os.fork()
        if helper == 0:
            try:
                os.setresgid(request["uid"], request["uid"], request["uid"])
                os.setresuid(request["uid"], request["uid"], request["uid"])
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(helper, 0)
        _reap_all(block=False)
        return {}
    if op == "exit":
        raise SystemExit(0)
    raise ValueError(op)


def serve(path: str) -> None:
    warm.warm_up()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(8)
    while True:
        conn, _ = listener.accept()
        with conn, conn.makefile("rw") as stream:
            try:
                reply = _handle(json.loads(stream.readline()), listener)
            except SystemExit:
                # Leave in order, every child reaped, so that the CPU time of all the kernels
                # is accounted to the grader (bubblewrap waits for us, the worker for it).
                stream.write("{}\n")
                stream.flush()
                _reap_all()
                return
            except Exception as err:  # a bad request must not take the zygote down
                reply = {"error": f"{type(err).__name__}: {err}"}
            stream.write(json.dumps(reply) + "\n")
            stream.flush()


if __name__ == "__main__":
    serve(sys.argv[1])
