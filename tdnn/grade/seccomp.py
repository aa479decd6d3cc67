"""The system calls a graded kernel may not make: the ways to hold memory that no limit counts.

``RLIMIT_AS`` bounds what a kernel maps, and its scratch tmpfs what it writes, but three routes
hold RAM outside both (found by a red-team review): a tmpfs mounted in a user namespace of the
kernel's own (``unshare -U -r -m``), ``memfd_create`` files written and never mapped, and SysV
shared-memory segments touched through short-lived attachments. Grading needs none of them, so a
classic-BPF seccomp filter refuses them: ``unshare``/``clone`` with ``CLONE_NEWUSER`` fail with
EPERM; ``clone3`` (whose flags a filter cannot read) fails with ENOSYS, so the C library falls
back to ``clone``; ``memfd_create``, ``memfd_secret`` and the ``shm*`` calls fail with ENOSYS, as
on a kernel built without them. The x32 ABI is refused. Kernels forked by the zygote install the filter themselves
(:func:`install`, after ``no_new_privs``); a kernel in a bubblewrap sandbox of its own gets it
through ``bwrap --seccomp`` (:func:`program`).
"""
from __future__ import annotations

import ctypes
import errno
import os
import struct

# <linux/filter.h>, <linux/seccomp.h>, <linux/audit.h>
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_JSET_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16
CLONE_NEWUSER = 0x10000000
X32_SYSCALL_BIT = 0x40000000
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2

#: audit arch, and the numbers of the calls the filter looks at, per machine.
ARCHES = {
    "x86_64": (0xC000003E, {"unshare": 272, "clone": 56, "clone3": 435, "memfd_create": 319,
                            "memfd_secret": 447, "shmget": 29, "shmat": 30, "shmctl": 31,
                            "shmdt": 67}),
    "aarch64": (0xC00000B7, {"unshare": 97, "clone": 220, "clone3": 435, "memfd_create": 279,
                             "memfd_secret": 447, "shmget": 194, "shmctl": 195, "shmat": 196,
                             "shmdt": 197}),
}


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> tuple:
    return code, jt, jf, k


def program(machine: str | None = None) -> bytes:
    """The filter as the kernel (and ``bwrap --seccomp``) takes it: an array of sock_filter."""
    arch, nr = ARCHES[machine or os.uname().machine]
    eperm, enosys = SECCOMP_RET_ERRNO | errno.EPERM, SECCOMP_RET_ERRNO | errno.ENOSYS
    refused = ["clone3", "memfd_create", "memfd_secret", "shmget", "shmat", "shmctl", "shmdt"]
    ops = [_op(BPF_LD_W_ABS, OFFSET_ARCH),
           _op(BPF_JEQ_K, arch, jt=1),
           _op(BPF_RET_K, SECCOMP_RET_ERRNO | errno.ENOSYS),  # another ABI: nothing graded uses it
           _op(BPF_LD_W_ABS, OFFSET_NR),
           _op(BPF_JGE_K, X32_SYSCALL_BIT, jf=1),
           _op(BPF_RET_K, enosys)]
    for name in refused:
        ops += [_op(BPF_JEQ_K, nr[name], jf=1), _op(BPF_RET_K, enosys)]
    # unshare(flags) and clone(flags, ...): flags are the first argument's low 32 bits.
    ops += [_op(BPF_JEQ_K, nr["unshare"], jt=1), _op(BPF_JEQ_K, nr["clone"], jf=3),
            _op(BPF_LD_W_ABS, OFFSET_ARG0),
            _op(BPF_JSET_K, CLONE_NEWUSER, jf=1),
            _op(BPF_RET_K, eperm),
            _op(BPF_RET_K, SECCOMP_RET_ALLOW)]
    return b"".join(struct.pack("HBBI", *op) for op in ops)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install() -> None:
    """Filter this process and everything it starts (needs ``no_new_privs`` or CAP_SYS_ADMIN)."""
    code = program()
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"seccomp: {os.strerror(err)}")
