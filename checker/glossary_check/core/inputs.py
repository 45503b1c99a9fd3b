"""Reading an input safely: regular files and standard input only, never more than a limit."""

from __future__ import annotations

import os
import stat
import sys

#: The most a run reads of one input (article, glossary, configuration, standard input) unless
#: `--max-file-size` or the `max-file-size` key says otherwise: a device or an endless stream
#: named as a file must not fill the memory.
DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024
_max_file_size = DEFAULT_MAX_FILE_SIZE
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


class InputRefused(OSError):
    """An input this run will not read (not a regular file, or too large); `strerror` says why."""


def max_file_size() -> int:
    return _max_file_size


def set_max_file_size(limit: int) -> None:
    """The limit for every read in this process (worker processes are given it too)."""
    global _max_file_size
    _max_file_size = limit


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} bytes"


def too_large(limit: int) -> InputRefused:
    return InputRefused(0, f"larger than the {_size(limit)} limit (--max-file-size)")


def read_bounded(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """A regular file's bytes, or standard input's for '-', never more than `limit`.

    The file is opened without blocking and checked after opening (no race with a
    rename): a FIFO, device, socket or directory raises InputRefused, as does a file
    over the limit. Other failures are the OSError of the system call.
    """
    limit = _max_file_size if limit is None else limit
    if os.fspath(path) == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise too_large(limit)
        return data
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        for test, kind in _KINDS:
            if test(info.st_mode):
                raise InputRefused(0, f"{kind}, not a regular file")
        if not stat.S_ISREG(info.st_mode):
            raise InputRefused(0, "not a regular file")
        if info.st_size > limit:
            raise too_large(limit)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)  # a file may grow while it is read
    if len(data) > limit:
        raise too_large(limit)
    return data


def parse_size(text: str) -> int | None:
    """`16777216`, `512K`, `16M` or `1G` (powers of 1024) as bytes; None unless at least 1."""
    text = text.strip()
    scale = {"k": 1024, "m": 1024**2, "g": 1024**3}.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale > 1 else text
    if not (digits.isascii() and digits.isdigit()):
        return None
    value = int(digits) * scale
    return value if value >= 1 else None
