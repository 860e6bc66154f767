"""Where a passphrase or PIN comes from: a file, an environment variable or a hidden prompt.

Never a command-line argument, which other users of the machine can read from the process list.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mougen.errors import MougenError

#: The environment variable for the passphrase of a PKCS#12 file or a token PIN.
PASSPHRASE_ENV = "MOUGEN_P12_PASSPHRASE"


def read_passphrase(
    file: Path | None, env_var: str, prompt: str, *, confirm: bool = False
) -> bytes:
    """The passphrase from ``file``, else from ``env_var``, else typed at a hidden prompt.

    A file's trailing line break is not part of the passphrase. ``confirm`` asks twice at the
    prompt, for passphrases that are being chosen rather than entered.
    """
    if file is not None:
        try:
            return file.read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise MougenError(f"cannot read passphrase file: {exc.strerror}", file) from None
    from_env = os.environ.get(env_var)
    if from_env:
        return from_env.encode()
    if not sys.stdin.isatty():
        return _piped(prompt, env_var, confirm)
    try:
        typed = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    except click.Abort:  # end of input, as when run with no terminal
        raise MougenError(
            f"no passphrase given: use a passphrase file or {env_var}, or type it when asked"
        ) from None
    return typed.encode()


def _piped(prompt: str, env_var: str, confirm: bool) -> bytes:
    """The passphrase piped in on standard input, one line (twice when ``confirm``).

    With no terminal there is nothing to hide input on: reading the line directly avoids
    getpass's warning that the passphrase may be echoed.
    """
    typed = []
    for ask in [prompt, "Repeat for confirmation"] if confirm else [prompt]:
        click.echo(f"{ask}: ", err=True, nl=False)
        line = sys.stdin.readline()
        if not line:
            click.echo(err=True)  # the error that follows gets a line of its own
            raise MougenError(
                f"no passphrase given: use a passphrase file or {env_var}, or type it when asked"
            )
        typed.append(line.rstrip("\r\n"))
    if confirm and typed[0] != typed[1]:
        raise MougenError("the two passphrases given do not match")
    return typed[0].encode()
