"""Can a submission break the batch, its own grade's honesty, or anyone else's work?

One class holds two honest students and every hostile submission below; a twin class holds only
the honest two. Both are graded by the driver, under ``umask 000`` (an instructor's careless
umask must not open the sandbox) and with a TMPDIR of their own. Each hostile student must get a
grade (zero for the parts it broke, full marks for the rest) and a readable reason in their
feedback; the honest students' grades and files must be byte-identical to the twin's; nothing
outside the hostile student's own folders may change, and nothing is left in TMPDIR.

The attacks of a security review of the sandbox (findings 1-9, each confirmed real without the
sandbox) are cases here too: root following links the kernel planted in its socket folder, a
kernel asking the zygote for a root kernel, links and FIFOs in a submission folder, grader code
made to raise, output replaced through ``update_display_data``, a scratch space filled and
nested 2,000 deep, SysV shared memory left for the next kernel, live HTML and script in the
feedback page, and bubblewrap's command line seen as /proc/1/cmdline."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import textwrap
import threading

import nbformat
import pytest

from . import classroom
from .attacks import ATTACKS
from .classroom import ASSIGNMENT, GRADE_IDS, POINTS
from .conftest import FAST_LIMITS, run_driver

ALL = frozenset(classroom.PARTS)


@dataclasses.dataclass(frozen=True)
class Case:
    why: str                      # what the case checks, shown when it fails
    zero: frozenset               # parts that must score 0 (the others: full marks)
    says: str                     # text the student's feedback must show
    replace: dict = dataclasses.field(default_factory=dict)
    edit: object = None
    raw: bytes | None = None
    name: str = f"{ASSIGNMENT}.ipynb"
    blank: bool = False
    extra: object = None          # extra(folder, root): adds files or links to the submission
    never: tuple = ()             # texts its feedback must not show (an attack that worked)


def _solution_with(prefix: str, part: str = "sgd") -> dict:
    """The instructor's solution of ``part`` with hostile code run first, in the same cell."""
    return {part: textwrap.dedent(prefix) + "\n" + classroom.solution(part)}


def _drop(grade_id):
    def edit(nb):
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return edit


def _tests_last(nb):
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    nb.cells = [c for c in nb.cells if c not in tests] + tests


def _set_source(grade_id, source):
    def edit(nb):
        for c in nb.cells:
            if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                c.source = source
    return edit


def _other_assignment(nb):
    new = nbformat.v4.new_notebook()
    new.cells = [nbformat.v4.new_code_cell("def square(x):\n    return x * x")]
    return new


NESTED = textwrap.dedent("""\
    d = x = {}
    for _ in range(700):
        x["a"] = {}
        x = x["a"]
    from IPython.display import publish_display_data
    publish_display_data({"application/json": d})
    """)
BUGGY_SGD = "class SGD:\n    def __init__(self, lr=0.01):\n        self.lr = lr\n    def update(self, params, grads):\n        pass\n"
GOOD_NB = None  # filled lazily: bytes of an honest notebook, for truncation

#: A folder of the course that hostile kernels aim at: files named as a kernel's connection files
#: (cleanup must not delete them) and a Unix socket whose connections are counted (root must
#: never connect to it).
BAIT = "bait"
#: What an attack prints when it worked, built at run time so that the source shown in the
#: feedback never contains it.
ATTACK_WORKED = "ATTACK-WORKED"

SOCKET_REDIRECT = textwrap.dedent("""\
    import json, os
    from ipykernel.connect import get_connection_file
    cf = get_connection_file()
    sockets, info = os.path.dirname(cf), json.load(open(cf))
    stdin = f"{info['ip']}-{info['stdin_port']}"
    bait = os.path.join(os.environ["TDNN_ROOT"], "bait")
    def swap_stdin():
        os.rename(stdin, stdin + ".old")
        os.symlink(os.path.join(bait, "listener.sock"), stdin)
    def swap_folder():
        os.rename(sockets, sockets + ".old")
        os.symlink(bait, sockets)
    for what, attack in (("stdin socket", swap_stdin), ("socket folder", swap_folder)):
        try:
            attack()
            print("ATTACK" + "-WORKED: swapped the", what)
        except OSError as err:
            print("could not swap the", what, "-", err.strerror)
    """)
ZYGOTE_UID0 = textwrap.dedent("""\
    import glob, json, os, socket
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.getcwd())))  # the zygote's folder
    candidates = set(glob.glob(top + "/**/*.sock", recursive=True))
    candidates |= {top + "/zygote.sock", top + "/control/zygote.sock"}
    for path in sorted(candidates):
        try:
            with socket.socket(socket.AF_UNIX) as conn:
                conn.connect(path)
                conn.sendall(json.dumps({"op": "stats"}).encode() + b"\\n")
                reply = conn.recv(1000)
            print(("ATTACK" + "-WORKED: the zygote answered") if reply else "zygote: no answer", reply)
        except OSError as err:
            print("zygote unreachable:", err.strerror)
    """)
RECURSION_IN_GRADER = textwrap.dedent("""\
    import sys
    sys.setrecursionlimit(100_000)
    d = x = []
    for _ in range(5000):
        x.append([])
        x = x[0]
    from IPython.display import publish_display_data
    publish_display_data({"application/json": {"deep": d}})
    """)
DISPLAY_FLOOD = textwrap.dedent("""\
    from IPython.display import display
    handles = [display("small", display_id=True) for _ in range(10)]
    for handle in handles:
        handle.update("x" * (8 * 2**20))  # 80 MiB in all, were it kept
    """)
FILL_SCRATCH = textwrap.dedent("""\
    import os
    start = os.getcwd()
    for _ in range(2000):
        os.mkdir("d")
        os.chdir("d")
    os.chdir(start)
    written = 0
    try:
        for i in range(40):
            with open(os.path.join(os.environ["TMPDIR"], f"big{i}"), "wb") as f:
                f.write(b"\\0" * (60 * 2**20))
            written += 1
    except OSError as err:
        print("scratch full:", err.strerror, "after", written, "files")
    """)
SHM_LEFT_BEHIND = textwrap.dedent("""\
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    print("segment", libc.shmget(0x7D00, 4 * 2**30, 0o1000 | 0o666))
    os._exit(0)
    """)
SHM_SEEN = textwrap.dedent("""\
    segments = open("/proc/sysvipc/shm").read().splitlines()[1:]
    print(("ATTACK" + "-WORKED: shared memory of an earlier kernel is visible") if segments
          else "no shared memory left by an earlier kernel")
    """)
#: The red team's ways to hold RAM that no limit counted: a tmpfs in a user namespace of one's own,
#: and memfd files written but never mapped.
MEMORY_OUTSIDE_LIMITS = textwrap.dedent("""\
    import os, subprocess
    done = subprocess.run(["unshare", "-U", "-r", "-m", "mount", "-t", "tmpfs", "-o", "size=100g", "none", "/tmp"],
                          capture_output=True, text=True)
    print(("ATTACK" + "-WORKED: a user namespace") if done.returncode == 0 else "user namespace refused:", done.stderr.strip())
    try:
        os.memfd_create("hoard")
        print("ATTACK" + "-WORKED: memfd")
    except OSError as err:
        print("memfd refused:", err.strerror)
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    print(("ATTACK" + "-WORKED: memfd_secret") if libc.syscall(447, 0) >= 0 else "memfd_secret refused")
    """)
#: add_key and request_key (no glibc wrappers): a key in the uid's user keyring, which lives in
#: the host kernel, outlives the uid's processes and would reach the next kernel of the worker.
KEY_SYSCALLS = 'import ctypes, os\nADD_KEY, REQUEST_KEY = {"x86_64": (248, 249), "aarch64": (217, 218)}[os.uname().machine]\nlibc = ctypes.CDLL(None, use_errno=True)\n'
KEY_LEFT_BEHIND = KEY_SYSCALLS + textwrap.dedent("""\
    print("key", libc.syscall(ADD_KEY, b"user", b"tdnn-covert", b"from an earlier kernel", 22, ctypes.c_long(-4)))
    os._exit(0)
    """)
KEY_SEEN = KEY_SYSCALLS + textwrap.dedent("""\
    found = libc.syscall(REQUEST_KEY, b"user", b"tdnn-covert", None, ctypes.c_long(-4))
    print(("ATTACK" + "-WORKED: a key of an earlier kernel is there") if found > 0
          else "no key left by an earlier kernel")
    """)
LIVE_HTML = textwrap.dedent("""\
    from IPython.display import HTML, Javascript, display
    display(HTML("<script>window.tdnnPwned = 1</script>"
                 "<div id='fake-score' style='position:fixed;top:0;left:0'>Score 18/18</div>"))
    display(Javascript("window.tdnnPwned = 2"))
    from IPython.display import publish_display_data
    publish_display_data({"image/png": "AAAA", "text/plain": "img"},  # unquoted in the <img> tag
                         metadata={"image/png": {"width": "1 onerror=window.tdnnPwned=8",
                                                 "height": "1 onerror=window.tdnnPwned=9"}})
    """)
PID1 = 'print("pid 1 is:", open("/proc/1/cmdline").read().replace("\\0", " "))\n'


def _markdown_with_script(nb):
    nb.cells.insert(2, nbformat.v4.new_markdown_cell(
        "My notes <script>window.tdnnPwned = 3</script><div id='fake-md'>Score 18/18</div>\n\n"
        "Click [the full score](javascript:window.tdnnPwned=4) or <javascript:window.tdnnPwned=5>\n\n"
        "```\ncode\n\n[again](javascript:window.tdnnPwned=6)\n```\n\n[ref][r]\n\n[r]: JaVaScRiPt:window.tdnnPwned=7"))


def _deep_attribute_chain(nb):
    """A cell after SGD's that the kernel compiles (its recursion limit raised by the SGD cell)
    and that any ``ast.parse`` at the grader's default limit fails on."""
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "sgd")
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell("if False:\n    x = " + "a." * 5000 + "b\n"))


def _breaks_setup_first(nb):
    """A cell above the set-up cell that makes it fail, to dodge the zero that a broken SGD and
    Adam would earn (a failing set-up cell used to leave the submission unscored)."""
    nb.cells.insert(1, nbformat.v4.new_code_cell(  # below the (locked) title, above set-up
        "import sys\nsys.modules['tdnn.chapters.fast_optimizers'] = None\n"))


def _links(folder, root):
    os.symlink(root / "autograder" / "submitted" / "honest" / "fast_optimizers" / "fast_optimizers.ipynb",
               folder / "friend.ipynb")
    os.symlink(root / "autograder" / "gradebook.db", folder / "gradebook.db")
    os.symlink(root / "solutions" / "fast_optimizers" / "fast_optimizers.ipynb", folder / "answers.ipynb")


def _fifo(folder, root):
    os.mkfifo(folder / "data.csv")


def _hard_link(folder, root):
    os.link(root / "solutions" / "fast_optimizers" / "fast_optimizers.ipynb", folder / "answers.ipynb")

CASES = {
    "endless_loop": Case("an endless loop is stopped by the per-cell time limit",
                         frozenset({"sgd"}), "CellTimeoutError",
                         replace={"sgd": "while True:\n    pass\n"}),
    "sleep_forever": Case("time.sleep(10**6) is stopped by the per-cell time limit",
                          frozenset({"momentum"}), "CellTimeoutError",
                          replace={"momentum": "import time\ntime.sleep(10**6)\n"}),
    "memory_bomb": Case("a memory bomb hits the address-space limit and raises MemoryError",
                        frozenset({"nesterov"}), "MemoryError",
                        replace={"nesterov": "hog = []\nwhile True:\n    hog.append(bytearray(10**8))\n"}),
    "fork_bomb": Case("a fork bomb hits the process limit", frozenset({"adagrad"}),
                      "Resource temporarily unavailable",
                      replace={"adagrad": "import os\nwhile True:\n    os.fork()\n"}),
    "sys_exit": Case("sys.exit() in a cell is an error in that cell only",
                     frozenset({"rmsprop"}), "SystemExit",
                     replace={"rmsprop": "import sys\nsys.exit(3)\n"}),
    "os_exit": Case("os._exit() kills the kernel: that part scores 0 with the reason, the "
                    "others are graded in a fresh kernel",
                    frozenset({"adam"}), "kernel died", replace={"adam": "import os\nos._exit(0)\n"}),
    "kill_own_kernel": Case("SIGKILL to its own kernel: that part scores 0 with the reason",
                            frozenset({"sgd"}),
                            "kernel died",
                            replace={"sgd": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"}),
    "deleted_test": Case("a deleted hidden test cell is put back by nbgrader, and passes",
                         frozenset(), "fast_optimizers", edit=_drop("test_adam_hidden")),
    "reordered_tests": Case("test cells moved to the end still grade the right code",
                            frozenset(), "fast_optimizers", edit=_tests_last),
    "test_replaced_by_pass": Case("a test cell rewritten to `pass` is restored from the gradebook",
                                  frozenset({"sgd"}), "AssertionError",
                                  replace={"sgd": BUGGY_SGD},
                                  edit=_set_source("test_sgd_hidden", "pass")),
    "patched_numpy": Case("patching np.allclose / np.testing / AssertionError gains nothing",
                          frozenset({"sgd"}), "AssertionError", replace={"sgd": BUGGY_SGD + textwrap.dedent("""
                              import numpy, builtins
                              numpy.allclose = lambda *a, **k: True
                              numpy.testing.assert_allclose = lambda *a, **k: None
                              numpy.isfinite = lambda x: True
                              builtins.AssertionError = type('Quiet', (Exception,), {})
                              """)}),
    "reads_solutions": Case("the solutions are not visible to the kernel",
                            frozenset({"sgd"}), "No such file or directory",
                            replace=_solution_with("from tdnn import paths\nopen(paths.SOLUTIONS / 'fast_optimizers' / 'fast_optimizers.ipynb').read()\n")),
    "reads_references": Case("the reference outputs are not visible to the kernel",
                             frozenset({"sgd"}), "No such file or directory",
                             replace=_solution_with("from tdnn import paths\n(paths.REFERENCES / 'fast_optimizers.json').read_text()\n")),
    "writes_elsewhere": Case("another student's folder and the gradebook are out of reach",
                             frozenset({"sgd"}), "No such file or directory",
                             replace=_solution_with("""
                                 from tdnn import paths
                                 for target in (paths.AUTOGRADER / 'gradebook.db',
                                                paths.AUTOGRADER / 'submitted' / 'honest' / 'fast_optimizers' / 'fast_optimizers.ipynb'):
                                     try:
                                         target.write_text('pwned')
                                     except OSError as err:
                                         print(err)
                                 open(paths.AUTOGRADER / 'gradebook.db', 'w')
                                 """)),
    "empty_file": Case("an empty file scores 0 with the reason", ALL, "could not be read", raw=b""),
    "truncated": Case("a truncated notebook scores 0 with the reason", ALL, "could not be read",
                      raw=b'{"cells": [{"cell_type": "code", "source": "import numpy'),
    "not_utf8": Case("a file that is not UTF-8 scores 0 with the reason", ALL, "could not be read",
                     raw=b"\xff\xfe{\x00\"\x00c\x00\xe9\xff"),
    "other_assignment_named": Case("another assignment's notebook under this name scores 0",
                                   ALL, "cells of the assignment", edit=_other_assignment),
    "other_assignment_file": Case("only another assignment's notebook: 0 with the reason", ALL,
                                  "no notebook of the assignment",
                                  raw=nbformat.writes(nbformat.v4.new_notebook()).encode(),
                                  name="intro_to_numpy.ipynb"),
    "daemon_left_behind": Case("a process left running after its kernel ends (here: one that "
                               "kills every new process of its uid, such as the next kernel of "
                               "the same worker) is killed before the next kernel starts",
                               frozenset(), "fast_optimizers", replace=_solution_with("""
                                   import os, time
                                   def _mine():
                                       found = set()
                                       for p in os.listdir('/proc'):
                                           try:
                                               if p.isdigit() and os.stat('/proc/' + p).st_uid == os.getuid():
                                                   found.add(int(p))
                                           except OSError:
                                               pass
                                       return found
                                   if os.fork() == 0:
                                       os.setsid()
                                       if os.fork() == 0:
                                           seen = _mine()
                                           while True:
                                               time.sleep(0.05)
                                               for pid in _mine() - seen:
                                                   try:
                                                       os.kill(pid, 9)
                                                   except OSError:
                                                       pass
                                       os._exit(0)
                                   """)),
    "enormous_output": Case("a flood of output is cut, and the code after it still counts",
                            frozenset(), "fast_optimizers",
                            replace=_solution_with("for _ in range(300):\n    print('x' * 100_000)\n")),
    "deeply_nested_output": Case("an output nested 700 deep, which nbformat cannot record, costs "
                                 "its own display only, not the notebook",
                                 frozenset(), "OutputDropped", replace=_solution_with(NESTED)),
    # -- the security review's findings
    "socket_redirect": Case("finding 1: the kernel cannot swap its socket files or folder for "
                            "links that root would then follow",
                            frozenset(), "could not swap the socket folder",
                            replace=_solution_with(SOCKET_REDIRECT), never=(ATTACK_WORKED,)),
    "zygote_uid0": Case("finding 2: a kernel cannot reach its zygote's socket, whatever the umask",
                        frozenset(), "zygote unreachable", replace=_solution_with(ZYGOTE_UID0),
                        never=(ATTACK_WORKED,)),
    "links_in_folder": Case("finding 3: links in a submission folder are refused, never followed",
                            ALL, "is a symbolic link", extra=_links, never=("BEGIN SOLUTION",)),
    "fifo_in_folder": Case("finding 3: a FIFO in a submission folder is refused, not read",
                           ALL, "is a FIFO", extra=_fifo),
    "hard_link_in_folder": Case("finding 3: a hard link to a course file is refused",
                                ALL, "hard link", extra=_hard_link, never=("BEGIN SOLUTION",)),
    "recursion_in_grader": Case("finding 4: output that makes the grader's own code raise "
                                "RecursionError costs that cell, not the batch",
                                frozenset(), "OutputDropped",
                                replace=_solution_with(RECURSION_IN_GRADER)),
    "deep_attribute_chain": Case("finding 4: a cell with a 5,000-deep attribute chain, after one "
                                 "that raised the recursion limit, is no trouble to the grader",
                                 frozenset(), "fast_optimizers",
                                 replace=_solution_with("import sys\nsys.setrecursionlimit(10_000)\n"),
                                 edit=_deep_attribute_chain),
    "nested_notebook": Case("finding 4: a notebook file nested 5,000 deep scores 0 with a reason",
                            ALL, "could not", raw=b'{"cells": [], "metadata": {"a": '
                            + b"[" * 5000 + b"]" * 5000 + b'}, "nbformat": 4, "nbformat_minor": 5}'),
    "display_flood": Case("finding 5: displays replaced through update_display_data are capped "
                          "like any output", frozenset(), "OutputDropped",
                          replace=_solution_with(DISPLAY_FLOOD)),
    "fill_scratch": Case("finding 6: a submission's writes are bounded in total, and a folder "
                         "2,000 deep is no trouble to clean", frozenset(),
                         "No space left on device", replace=_solution_with(FILL_SCRATCH)),
    "shm_left_behind": Case("finding 7: SysV shared memory dies with its kernel; the next kernel "
                            "of the worker does not see it", frozenset({"sgd"}),
                            "no shared memory left by an earlier kernel",
                            replace={"sgd": SHM_LEFT_BEHIND,
                                     "momentum": SHM_SEEN + classroom.solution("momentum")},
                            never=(ATTACK_WORKED,)),
    "memory_outside_limits": Case("red team: no user namespace (whose tmpfs no limit counts) and "
                                  "no memfd", frozenset(), "memfd refused: Function not implemented",
                                  replace=_solution_with(MEMORY_OUTSIDE_LIMITS), never=(ATTACK_WORKED,)),
    "key_left_behind": Case("red team: the uid's keyrings are emptied when a kernel ends; the "
                            "next kernel of the worker finds no key", frozenset({"sgd"}),
                            "no key left by an earlier kernel",
                            replace={"sgd": KEY_LEFT_BEHIND,
                                     "momentum": KEY_SEEN + classroom.solution("momentum")},
                            never=(ATTACK_WORKED,)),
    "breaks_setup_first": Case("red team: a cell above the locked set-up cell that breaks it "
                               "does not leave the submission unscored: it is graded, with the "
                               "reason", ALL, "ModuleNotFoundError", edit=_breaks_setup_first,
                               replace={"sgd": BUGGY_SGD}),
    "live_html": Case("finding 8: the feedback page shows student HTML, script and Markdown as "
                      "text", frozenset(), "shown as text", replace=_solution_with(LIVE_HTML),
                      edit=_markdown_with_script,
                      never=("<script>window.tdnnPwned", "<div id='fake-score'", "<div id=\"fake-md\"")),
    "proc_1_cmdline": Case("finding 9: /proc/1/cmdline does not show bubblewrap's command line",
                           frozenset(), "pid 1 is:", replace=_solution_with(PID1),
                           never=("bwrap", "--bind", "--setenv")),
    "non_utf8_output": Case("bytes that are not UTF-8 in the output are harmless", frozenset(),
                            "fast_optimizers",
                            replace=_solution_with("import os\nos.write(1, b'\\xff\\xfe\\x80 bad bytes\\n')\n")),
}

# The in-kernel attacks of attacks.py, graded here by the class grader.
CASES.update({name: Case(a.why, a.zero, "AssertionError", replace={"sgd": a.source},
                         blank=a.blank)
              for name, a in ATTACKS.items()})

HONEST = ("honest", "honest_buggy")


def _submit_honest(root):
    classroom.submit(root, "honest")
    classroom.submit(root, "honest_buggy", replace={"adam": "class Adam:\n    pass\n"})


def _submit_hostile(root, student, case):
    if case.raw is not None:
        classroom.submit_bytes(root, student, case.raw, case.name)
    else:
        classroom.submit(root, student, replace=case.replace, edit=case.edit, blank=case.blank)
    if case.extra is not None:
        case.extra(classroom.folder(root, student), root)


class _Listener:
    """A Unix socket in the bait folder that counts who connects to it."""

    def __init__(self, path):
        self.connections = 0
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(str(path))
        self.server.listen(8)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.server.close()


def _bait(root):
    folder = root / BAIT
    folder.mkdir()
    for name in ("connection.json", *(f"kernel-{i}" for i in range(1, 6))):
        (folder / name).write_text(f"bait: {name}")
    return _Listener(folder / "listener.sock")


def _outside_students(root, students):
    """Everything of the course except the named students' own folders and the shared outputs
    (gradebook, reports) that the grader itself writes."""
    def skip(rel):
        parts = rel.split("/")
        if rel in ("autograder/gradebook.db",) or rel.startswith("autograder/reports/"):
            return True
        return len(parts) > 2 and parts[0] == "autograder" and parts[2] in students
    return classroom.snapshot(root, skip)


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    hostile = classroom.make_course(tmp_path_factory.mktemp("hostile"))
    twin = tmp_path_factory.mktemp("twin")
    shutil.copytree(hostile, twin, dirs_exist_ok=True)
    _submit_honest(hostile)
    _submit_honest(twin)
    for student, case in CASES.items():
        _submit_hostile(hostile, student, case)
    listener = _bait(hostile)
    before = _outside_students(hostile, set(CASES) | set(HONEST))
    tmp = {name: tmp_path_factory.mktemp(f"tmpdir-{name}") for name in ("hostile", "twin")}
    try:
        done = run_driver(hostile, *FAST_LIMITS, umask=0, env={"TMPDIR": str(tmp["hostile"])})
        run_driver(twin, *FAST_LIMITS, umask=0, env={"TMPDIR": str(tmp["twin"])})
    finally:
        listener.close()
    return hostile, twin, before, done, listener, tmp


def test_the_batch_finishes_and_grades_everyone(batches):
    """Does every submission, hostile or not, end with a grade for every test cell?"""
    hostile, done = batches[0], batches[3]
    graded = classroom.grades(hostile, ASSIGNMENT)
    assert set(graded) == set(CASES) | set(HONEST), done.stdout
    assert all(set(g) == set(GRADE_IDS) and None not in g.values() for g in graded.values())
    assert "could not be graded" in done.stdout


@pytest.mark.parametrize("student", sorted(CASES))
def test_hostile_submission_gets_its_grade_and_reason(batches, student):
    """Does each hostile case score 0 exactly on the parts it broke, and say why?"""
    case = CASES[student]
    hostile = batches[0]
    got = classroom.grades(hostile, ASSIGNMENT)[student]
    expected = {gid: 0.0 if classroom.part_of(gid) in case.zero else POINTS[gid]
                for gid in GRADE_IDS}
    assert got == expected, case.why
    page = hostile / "autograder" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    text = page.read_text(errors="replace")
    assert case.says in text, case.why
    for sign in case.never:
        assert sign not in text, f"{case.why}: the feedback shows {sign!r}"


def test_honest_students_are_untouched(batches):
    """Are the honest students' grades and files byte-identical to a batch without the hostile ones?"""
    hostile, twin = batches[0], batches[1]
    assert ({s: classroom.grades(hostile, ASSIGNMENT)[s] for s in HONEST}
            == classroom.grades(twin, ASSIGNMENT))
    for student in HONEST:
        for kind in ("submitted", "autograded"):
            mine = classroom.snapshot(hostile / "autograder" / kind / student)
            theirs = classroom.snapshot(twin / "autograder" / kind / student)
            assert mine.keys() == theirs.keys()
            if kind == "submitted":
                assert mine == theirs
            else:
                assert _scores_and_outputs(hostile, kind, student) == _scores_and_outputs(twin, kind, student)


def _scores_and_outputs(root, kind, student):
    """A graded notebook without what changes from run to run (timings, kernel ids)."""
    nb = json.loads((root / "autograder" / kind / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    return [(c["source"], c.get("outputs")) for c in nb["cells"]]


def test_nothing_outside_the_submissions_changed(batches):
    """Did no hostile code change a file of the course outside its own folders?"""
    hostile, before = batches[0], batches[2]
    assert _outside_students(hostile, set(CASES) | set(HONEST)) == before


@pytest.mark.parametrize("student", ["enormous_output", "display_flood"])
def test_output_floods_are_bounded(batches, student):
    """Are the graded notebook and the feedback page of an output flood small, whichever way
    the output came (printed, or displays replaced through update_display_data)?"""
    root = batches[0] / "autograder"
    assert (root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").stat().st_size < 5 * 1024**2
    assert (root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").stat().st_size < 5 * 1024**2


def test_root_never_connected_to_a_planted_socket(batches):
    """Finding 1: did any process connect to the bait socket a kernel pointed its stdin at, and
    are the files it aimed the grader's cleanup at all still there (the snapshot checks them)?"""
    hostile, listener = batches[0], batches[4]
    assert listener.connections == 0
    assert sorted(p.name for p in (hostile / BAIT).iterdir() if p.is_file()) == sorted(
        ["connection.json", *(f"kernel-{i}" for i in range(1, 6))])


def test_no_scratch_left_behind(batches):
    """Finding 6: after the batch, the grader's TMPDIR is empty: every kernel's scratch space,
    filled or 2,000 folders deep, is gone."""
    for folder in batches[5].values():
        assert list(folder.iterdir()) == []


def test_feedback_runs_no_student_script(batches, browser):
    """Finding 8, in a real browser: opening the feedback page of a student who displayed HTML,
    JavaScript and a Markdown cell with a script runs none of them and draws no fake score."""
    page_file = batches[0] / "autograder" / "feedback" / "live_html" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    page = browser.new_page()
    try:
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else route.abort())
        page.goto(page_file.as_uri())
        assert page.locator("img[onerror]").count() == 0  # from an output's width metadata
        assert page.locator("#fake-score").count() == 0
        assert page.locator("#fake-md").count() == 0
        assert "Score 18/18" in page.content()  # there, as text
        # Markdown links to javascript: (inline, autolink, reference) are links no more.
        assert page.locator("a[href^='javascript' i]").count() == 0
        page.get_by_text("the full score").click()
        assert page.evaluate("typeof window.tdnnPwned") == "undefined"
    finally:
        page.close()


def test_reports_are_written(batches):
    """Are the CSV export, the plot and the summary table there for the instructor?"""
    hostile, done = batches[0], batches[3]
    reports = hostile / "autograder" / "reports" / ASSIGNMENT
    rows = (reports / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + len(CASES) + len(HONEST)
    assert (reports / "grades.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(part in done.stdout for part in classroom.PARTS)
    assert "could not be read" in done.stdout  # the unreadable files, the one whole failure left
