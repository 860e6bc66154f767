"""What the mailbox run needs of a folder of messages, and one kept on disk: saved ``.eml``
files, read as if they were an IMAP folder (the demo uses it; so can a coordinator who
saved a reply by hand)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from mougen.collect.mailbox.settings import MailboxSettings
from mougen.digest import sha256_hex
from mougen.errors import MougenError


class Folder(Protocol):
    """A folder of messages known by UID, each filed away once done."""

    settings: MailboxSettings
    uidvalidity: int

    def waiting(self) -> list[int]: ...
    def size(self, uid: int) -> int | None: ...
    def fetch(self, uid: int) -> bytes | None: ...
    def headers(self, uid: int) -> bytes | None: ...
    def file(self, uid: int, outcome: str) -> str: ...


class EmlFolder:
    """The ``*.eml`` files in a folder; done ones move to ``mougen/<outcome>/`` beneath it.

    A file's UID comes from its name, so it stays the same from run to run.
    """

    uidvalidity = 1

    def __init__(self, root: Path):
        self.root = root
        self.settings = MailboxSettings(host="localhost", user="eml", folder=str(root))

    def waiting(self) -> list[int]:
        return sorted(self._files())

    def size(self, uid: int) -> int | None:
        path = self._files().get(uid)
        return path.stat().st_size if path else None

    def fetch(self, uid: int) -> bytes | None:
        path = self._files().get(uid)
        return path.read_bytes() if path else None

    def headers(self, uid: int) -> bytes | None:
        data = self.fetch(uid)
        return data.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0] if data else None

    def file(self, uid: int, outcome: str) -> str:
        path = self._files()[uid]
        done = self.root / "mougen" / outcome
        done.mkdir(parents=True, exist_ok=True)
        os.replace(path, done / path.name)
        return f"mougen/{outcome}"

    def _files(self) -> dict[int, Path]:
        try:
            paths = [p for p in self.root.iterdir() if p.suffix == ".eml" and p.is_file()]
        except OSError as exc:
            raise MougenError(f"cannot list the messages ({exc.strerror})", self.root) from None
        return {int(sha256_hex(p.name.encode())[:12], 16): p for p in paths}
