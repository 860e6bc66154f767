"""The progress bar of a long command: tqdm's, on a terminal; nothing in scripts and logs.

tqdm is loaded only when there is a terminal to draw on: it costs every command 25 ms of
start-up (its version look-up loads ``importlib.metadata``), which a script or a log that
shows no bar need not pay.
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol, Self


class Bar(Protocol):
    """What a command does with its bar (tqdm's own names)."""

    def update(self, n: int = 1) -> Any: ...
    def reset(self, total: int | None = None) -> None: ...
    def set_description(self, desc: str | None = None, refresh: bool = True) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...


def progress_bar(total: int, description: str, unit: str) -> Bar:
    """A bar of ``total`` ``unit``s, drawn on standard error if it is a terminal."""
    if not _on_terminal():
        return _NoBar()
    from tqdm import tqdm

    class _Drawn(tqdm):
        # without tqdm's monitor thread: a process forks (pack's workers) safely only
        # while it has a single thread
        monitor_interval = 0

    return _Drawn(total=total, desc=description, unit=unit)


def clear_of_bar() -> AbstractContextManager[object]:
    """Where a command prints a line while its bar is drawn (tqdm's ``external_write_mode``)."""
    if "tqdm" not in sys.modules:  # no bar has been drawn
        return nullcontext()
    from tqdm import tqdm

    return tqdm.external_write_mode()


def _on_terminal() -> bool:
    return bool(sys.stderr) and sys.stderr.isatty()


class _NoBar:
    """The bar of a command whose output is not a terminal: it draws nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def reset(self, total: int | None = None) -> None:
        pass

    def set_description(self, desc: str | None = None, refresh: bool = True) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        pass
