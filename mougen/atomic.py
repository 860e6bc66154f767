"""Writing files and folders so that a reader never sees half of one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from mougen.errors import OutputError


def write_bytes(path: Path, data: bytes, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    ``mode`` is the file's permission (mkstemp's own 0600 would hide documents from
    colleagues); pass 0o600 for anything secret.
    """
    return _write(path, data, mode, os.replace)


def write_new(path: Path, data: bytes, mode: int = 0o644) -> Path:
    """:func:`write_bytes`, but never over an existing file: ``OutputError`` if there is one.

    The finished file is hard-linked into place, which fails if the name is taken, so
    not even a file that appears meanwhile is overwritten.
    """
    return _write(path, data, mode, _link_new)


def _write(path: Path, data: bytes, mode: int, put: Callable[[str, Path], None]) -> Path:
    ensure_dir(path.parent)
    tmp = None
    try:
        # The name is cut short so that a file whose own name is near the limit still
        # has a temporary one.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:32]}.", suffix=".tmp")
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        put(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", path) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return path


def _link_new(tmp: str, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputError("already exists: give a new file name", path) from None


def ensure_dir(path: Path) -> Path:
    """Create a folder (and its parents) or raise one clear ``OutputError``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create folder: {exc.strerror}", path) from None
    if not os.access(path, os.W_OK):
        raise OutputError("folder is not writable", path)
    return path


def write_folder(target: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (name -> bytes) as the folder ``target``, replacing any older one whole.

    The folder is built under a hidden name beside ``target`` and renamed into place,
    so an interrupted run leaves either the old folder or the new one, never half.
    """
    ensure_dir(target.parent)
    staged = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        staged.chmod(0o755)  # mkdtemp's 0700 would hide the pack from colleagues
        for name, data in files.items():
            (staged / name).write_bytes(data)
        return _swap_in(staged, target)
    except OSError as exc:
        shutil.rmtree(staged, ignore_errors=True)
        raise OutputError(f"cannot write: {exc.strerror}", target) from None


def _swap_in(staged: Path, target: Path) -> Path:
    """Put the finished folder ``staged`` at ``target``, replacing any older one whole."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    staged.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target
