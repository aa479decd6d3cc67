"""The pre-warmed zygote and its warm-up are used when they should be, say once when they
cannot be, and change no output."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from . import classroom
from .classroom import ASSIGNMENT
from .driving import autograded, cell_outputs, grade, results, text_of

#: A cell that tells whether this kernel carries the zygote's warm-up (IPython's traceback
#: formatting for the disabled history is skipped only there).
PROBE = textwrap.dedent("""\
    from IPython.core.interactiveshell import InteractiveShell
    print("warm-up in this kernel:", InteractiveShell._format_exception_for_storage.__name__ == "format_for_history")
    """)

#: Every start of a zygote is recorded in $ZYGOTE_LOG, and fails when $ZYGOTE_FAILS is set.
COUNT_ZYGOTES = """
    import os
    from tdnn.grade import sandbox
    _init = sandbox.Zygote.__init__
    def _counted(self, *a, **k):
        with open(os.environ["ZYGOTE_LOG"], "a") as f:
            f.write(f"{os.getpid()}\\n")
        if os.environ.get("ZYGOTE_FAILS"):
            raise RuntimeError("simulated: the zygote could not start")
        _init(self, *a, **k)
    sandbox.Zygote.__init__ = _counted
"""

#: Zygotes whose IPython/stack_data lack a name warm.py replaces (what a real zygote reports
#: then, see test_warm_up_checks_names_and_falls_back): the grader must say so once.
UPGRADED_LIBRARIES = """
    from tdnn.grade import sandbox
    _request = sandbox.Zygote.request
    def _request_upgraded(self, **request):
        reply = _request(self, **request)
        if request.get("op") == "stats":
            reply["problems"] = ["warm-up: stack_data.utils._pygmented_with_ranges no longer exists (simulated)"]
        return reply
    sandbox.Zygote.request = _request_upgraded
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from tdnn.engine.references import variant_sources
    root = classroom.make_course(tmp_path_factory.mktemp("zygote"))
    classroom.submit(root, "probe", replace={"sgd": PROBE + classroom.solution("sgd")})
    classroom.submit(root, "blank", blank=True)
    (name, bug), = list(variant_sources(ASSIGNMENT, "adam", "bug").items())[:1]
    classroom.submit(root, "buggy", replace={"adam": bug})
    return root


def _copy(course, tmp_path_factory, name):
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(course, root, dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def prewarmed(course, tmp_path_factory):
    root = _copy(course, tmp_path_factory, "prewarmed")
    log = root / "zygotes.log"
    done = grade(root, "--no-reports", patch=COUNT_ZYGOTES, env_extra={"ZYGOTE_LOG": str(log)})
    return root, done, log


@pytest.fixture(scope="module")
def cold(course, tmp_path_factory):
    root = _copy(course, tmp_path_factory, "cold")
    log = root / "zygotes.log"
    done = grade(root, "--no-reports", "--no-prewarm", patch=COUNT_ZYGOTES,
                 env_extra={"ZYGOTE_LOG": str(log)})
    return root, done, log


def test_prewarmed_kernels_are_forked_from_the_zygote(prewarmed):
    """Is every kernel forked by a zygote (counted by the zygote), with the warm-up in it?"""
    root, done, log = prewarmed
    assert done.returncode == 0, done.stderr
    assert {o["kernel"] for o in results(root).values()} == {"forked"}
    assert 1 <= len(log.read_text().split()) <= 2  # one per worker, --jobs 2
    assert "warm-up in this kernel: True" in text_of(autograded(root, "probe"))


def test_no_prewarm_starts_no_zygote(cold):
    """Does --no-prewarm start no zygote, and give each kernel its own sandbox?"""
    root, done, log = cold
    assert done.returncode == 0, done.stderr
    assert not log.exists()
    assert {o["kernel"] for o in results(root).values()} == {"sandbox"}
    assert "warm-up in this kernel: False" in text_of(autograded(root, "probe"))


@pytest.mark.parametrize("student", ["blank", "buggy"])
def test_outputs_are_identical_with_and_without_prewarm(prewarmed, cold, student):
    """Are the outputs of a failing notebook (tracebacks included) the same either way?"""
    warm_nb, cold_nb = autograded(prewarmed[0], student), autograded(cold[0], student)
    assert cell_outputs(warm_nb) == cell_outputs(cold_nb)
    assert "Traceback" in text_of(warm_nb) or "Error" in text_of(warm_nb)


def test_a_zygote_that_cannot_start_is_reported_once_not_retried(course, tmp_path_factory):
    """Is a failed zygote said once per batch, tried once per worker (not per notebook), and
    does every kernel then get a sandbox of its own?"""
    root = _copy(course, tmp_path_factory, "nozygote")
    log = root / "zygotes.log"
    done = grade(root, "--no-reports", patch=COUNT_ZYGOTES,
                 env_extra={"ZYGOTE_LOG": str(log), "ZYGOTE_FAILS": "1"})
    assert done.returncode == 0, done.stderr
    assert len(log.read_text().split()) <= 2  # --jobs 2; 4 notebooks with the canary
    assert done.stderr.count("zygote did not start") == 1, done.stderr
    assert {o["kernel"] for o in results(root).values()} == {"sandbox"}
    assert {s: sum(g.values()) for s, g in classroom.grades(root, ASSIGNMENT).items()}["probe"] == classroom.FULL


def test_a_warm_up_that_lacks_a_name_is_said_once(course, tmp_path_factory):
    """When the zygotes report that a library no longer has a name warm.py replaces, does the
    grader say so once (not once per worker or notebook) and grade as usual?"""
    root = _copy(course, tmp_path_factory, "upgraded")
    done = grade(root, "--no-reports", patch=UPGRADED_LIBRARIES)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("_pygmented_with_ranges no longer exists") == 1, done.stderr
    assert {o["status"] for o in results(root).values()} == {"graded"}


@pytest.mark.parametrize("missing", ["stack_data.utils._pygmented_with_ranges",
                                     "IPython.core.interactiveshell.InteractiveShell._format_exception_for_storage"])
def test_warm_up_checks_names_and_falls_back(missing):
    """With a name gone (as after an upgrade), does the warm-up leave that library alone, report
    it, keep the other trim, and still format tracebacks?"""
    module, _, attribute = missing.rpartition(".")
    if module.endswith("InteractiveShell"):
        module, owner = module.rpartition(".")[0], "InteractiveShell"
    else:
        owner = None
    script = textwrap.dedent(f"""
        import importlib, json
        m = importlib.import_module({module!r})
        target = getattr(m, {owner!r}) if {owner!r} else m
        delattr(target, {attribute!r})
        import stack_data.core, stack_data.utils
        from IPython.core.interactiveshell import InteractiveShell
        before = stack_data.core._pygmented_with_ranges
        from tdnn.grade import warm
        problems = warm.warm_up()
        print(json.dumps({{
            "problems": problems,
            "stack_data_patched": stack_data.core._pygmented_with_ranges is not before,
            "history_patched": getattr(InteractiveShell, "_format_exception_for_storage", None) is not None
                and InteractiveShell._format_exception_for_storage.__name__ == "format_for_history",
        }}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(got["problems"]) == 1 and missing in got["problems"][0], got
    if missing.startswith("stack_data"):
        assert not got["stack_data_patched"] and got["history_patched"]
    else:
        assert got["stack_data_patched"] and not got["history_patched"]


@pytest.fixture(scope="module")
def careless_zygote():
    """A zygote started under ``umask 000``, as a careless instructor's shell would."""
    import os

    from tdnn import paths
    from tdnn.grade import sandbox

    if not sandbox.probe().sandboxed:
        pytest.skip(sandbox.probe().reason)
    old = os.umask(0)
    try:
        zygote = sandbox.Zygote(paths.ROOT, sandbox.SANDBOX_UID_BASE + 7)
    finally:
        os.umask(old)
    yield zygote
    zygote.close()


def test_zygote_socket_is_roots_alone_whatever_the_umask(careless_zygote):
    """Finding 2: the control socket and its folder admit root only, under umask 000."""
    import stat

    assert stat.S_IMODE(careless_zygote.socket.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(careless_zygote.socket.stat().st_mode) == 0o600


def test_zygote_forks_for_its_own_uid_only(careless_zygote):
    """Finding 2: asked for a kernel of another uid (root's), the zygote refuses."""
    with pytest.raises(RuntimeError, match="forks kernels for uid"):
        careless_zygote.request(op="spawn", uid=0, argv=["--version"], scratch="/nonexistent",
                                template="/nonexistent", scratch_bytes=1, env={}, limits={})
    assert careless_zygote.request(op="stats")["spawned"] == 0


def test_zygote_answers_root_only(careless_zygote):
    """Finding 2: even with the socket opened up to everyone, a connection from an unprivileged
    uid (a kernel's) gets no answer: the zygote checks its peer's credentials."""
    import os

    folder, sock = careless_zygote.socket.parent, careless_zygote.socket
    os.chmod(folder, 0o777)
    os.chmod(sock, 0o777)
    try:
        client = textwrap.dedent(f"""\
            import json, socket
            with socket.socket(socket.AF_UNIX) as conn:
                conn.connect({str(sock)!r})
                try:
                    conn.sendall(json.dumps({{"op": "stats"}}).encode() + b"\\n")
                    print("reply:", conn.recv(1000))
                except OSError as err:  # closed on us: refused
                    print("reply: b''", err)
            """)
        # The system's Python: the venv's base interpreter may sit below a folder (/root) that
        # an unprivileged uid cannot enter.
        done = subprocess.run(["/usr/bin/setpriv", "--reuid=61099", "--regid=61099",
                               "--clear-groups", "/usr/bin/python3", "-c", client],
                              capture_output=True, text=True, timeout=60)
        assert "reply: b''" in done.stdout, done.stdout + done.stderr
    finally:
        os.chmod(folder, 0o700)
        os.chmod(sock, 0o600)
    assert "spawned" in careless_zygote.request(op="stats")
