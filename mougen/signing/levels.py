"""The PAdES baseline levels (ETSI EN 319 142-1) a signature can be made at."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """B-B: a signature; B-T: with a signature timestamp; B-LT: with the chain and revocation
    data in the DSS; B-LTA: with a document timestamp over all of it as well."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def timestamped(self) -> bool:
        """Whether the level needs a timestamp authority."""
        return self is not Level.B_B

    @property
    def long_term(self) -> bool:
        """Whether validation data must be embedded (B-LT and B-LTA)."""
        return self in (Level.B_LT, Level.B_LTA)

    @property
    def archival(self) -> bool:
        """Whether a document timestamp closes the file (B-LTA)."""
        return self is Level.B_LTA
