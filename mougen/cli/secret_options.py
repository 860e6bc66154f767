"""Options for commands that read a secret: a PKCS#12 passphrase, a token PIN, a CA key's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from mougen.signing.passphrase import PASSPHRASE_ENV


def passphrase_file_option(
    what: str, env: str = PASSPHRASE_ENV
) -> Callable[[click.decorators.FC], click.decorators.FC]:
    """``--passphrase-file F``, its help naming the secret it reads and the environment
    variable read when no file is given."""
    return click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Read {what} from this file (else ${env}, else a prompt).",
    )
