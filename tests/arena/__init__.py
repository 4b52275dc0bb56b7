"""Installs arena_cache.c as the test process's arena allocator (why: that file's comment).

Compiled on first use into build/ with the machine's C compiler; where there is none, or on a
Python whose data stack no longer thrashes, the tests simply run without it."""
import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).with_name("arena_cache.c")
BUILD = Path(__file__).resolve().parents[2] / "build" / "arena"


class _ArenaAllocator(ctypes.Structure):
    _fields_ = [("ctx", ctypes.c_void_p), ("alloc", ctypes.c_void_p), ("free", ctypes.c_void_p)]


_installed = None  # the library and the struct stay referenced for the life of the process


def install() -> bool:
    global _installed
    if _installed is not None:
        return True
    if sys.version_info[:2] != (3, 11) or sys.implementation.name != "cpython":
        return False
    library = _compiled()
    if library is None:
        return False
    native = ctypes.CDLL(str(library))
    allocator = _ArenaAllocator(None, ctypes.cast(native.arena_alloc, ctypes.c_void_p),
                                ctypes.cast(native.arena_free, ctypes.c_void_p))
    ctypes.pythonapi.PyObject_SetArenaAllocator(ctypes.byref(allocator))
    _installed = (native, allocator)
    return True


def _compiled() -> Path | None:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    library = BUILD / f"arena_cache-{digest}.so"
    if not library.exists():
        BUILD.mkdir(parents=True, exist_ok=True)
        partial = library.with_suffix(f".{os.getpid()}.tmp")  # one per process: workers may compile at once
        done = subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-o", str(partial), str(SOURCE)],
                              capture_output=True)
        if done.returncode != 0:
            return None
        partial.replace(library)  # atomic: parallel test processes may compile at the same time
    return library
