"""pack's progress bar: drawn on a terminal, and not even loaded for a script or a log."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

from mougen.workspace import Workspace

PACK = ["pack", "se-2018", "--authority", "kent", "--authority", "surrey", "--date", "2026-11-22"]


def _mougen(ws: Workspace, *args: str) -> list[str]:
    return [sys.executable, "-m", "mougen", "--workspace", str(ws.root), *args]


def test_the_bar_is_drawn_on_a_terminal(workspace, tmp_path):
    pid, terminal = pty.fork()
    if pid == 0:  # the child: a command whose output is a terminal, 24 lines of 100
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        command = _mougen(workspace, *PACK, "-o", str(tmp_path / "packs"))
        os.execv(command[0], command)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the child has gone, and the terminal with it
            break
        if not chunk:
            break
        shown += chunk
    _, status = os.waitpid(pid, 0)
    text = shown.decode("utf-8", errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Drafting se-2018" in text and "Writing se-2018" in text
    assert "2/2" in text and "2 packs for se-2018" in text


def test_a_script_gets_no_bar_and_does_not_load_one(workspace, tmp_path):
    done = subprocess.run(
        [*_mougen(workspace, *PACK, "-o", str(tmp_path / "packs"))[:1], "-X", "importtime",
         *_mougen(workspace, *PACK, "-o", str(tmp_path / "packs"))[1:]],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "2 packs for se-2018" in done.stdout
    assert "Drafting" not in done.stderr
    assert " tqdm" not in done.stderr  # -X importtime lists every module loaded
