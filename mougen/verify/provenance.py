"""Provenance as a finding: the issue a signed PDF matches and what is wrong with its signers.

Cryptographic validity says a signature is sound; provenance says it is the right one.
:func:`mougen.workflow.provenance.provenance` asks the workspace's tracker and config.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provenance:
    """The issue a file matches (if any) and what is wrong with who signed it.

    ``council`` is the issued authority's name as people know it (for reports to print
    in place of its slug)."""

    mou: str | None
    authority: str | None
    problems: tuple[str, ...]
    council: str | None = None

    @property
    def holds(self) -> bool:
        """Issued by this workspace, and every signature by the expected person."""
        return self.mou is not None and not self.problems

    def to_json(self) -> dict:
        issued = {"mou": self.mou, "authority": self.authority} if self.mou else None
        return {"issued": issued, "provenance_problems": list(self.problems)}
