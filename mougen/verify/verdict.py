"""One file's verdict: its cryptographic report and its provenance, or why it could not be read.

Every output (the exit code, the table, ``--json``, the audit report, collect) reads from a
:class:`Verdict`, so none can call a file valid that another calls invalid.
"""

from __future__ import annotations

from dataclasses import dataclass

from mougen.errors import MougenError
from mougen.verify.provenance import Provenance
from mougen.verify.status import FileReport


@dataclass(frozen=True)
class Verdict:
    """What was found about one file.

    ``report`` is None when the file could not be read as a signed PDF (``error`` says why);
    ``provenance`` is None outside a workspace with a tracker, where only signatures count.
    """

    file: str
    report: FileReport | None = None
    provenance: Provenance | None = None
    error: str | None = None
    error_code: int = 0

    @classmethod
    def unreadable(cls, file: str, error: MougenError) -> Verdict:
        """The verdict on a file that could not be read, with the error's exit code."""
        return cls(file, error=error.detail, error_code=error.exit_code)

    @property
    def bottom_line(self) -> bool:
        """The overall judgement, apart from its parts (each signature's own validity, the
        file's execution, provenance): fully executed, and (in a tracked workspace) issued
        here and signed by the bound. This is what ``valid`` means in every output."""
        if self.report is None:
            return False
        return self.report.fully_executed and (self.provenance is None or self.provenance.holds)

    @property
    def exit_code(self) -> int:
        """0 when valid; the error's code (2 for an unreadable PDF) or 1 otherwise."""
        if self.report is None:
            return self.error_code
        return 0 if self.bottom_line else 1

    @property
    def sound(self) -> bool:
        """Signed, every signature there passes and provenance holds; roles may be unsigned.

        A copy signed by some of the signatories so far is sound, and may be filed.
        """
        return self.report is not None and bool(self.report.signatures) and not self.faults

    @property
    def faults(self) -> list[str]:
        """What is wrong with the signatures there are, and with who made them."""
        if self.report is None:
            return [self.error or "unreadable"]
        faults = list(self.report.problems)
        stamps = self.report.document_timestamps
        faults += [
            f"{s.field} {s.sub_indication or s.indication}"
            for s in [*self.report.signatures, *stamps]
            if not s.passed
        ]
        return faults + list(self.provenance.problems if self.provenance is not None else ())

    @property
    def reasons(self) -> list[str]:
        """Why the file is not valid, most fundamental first (empty when it is)."""
        missing = self.report.missing_roles if self.report is not None else []
        unsigned = [f"{len(missing)} role(s) unsigned"] if missing else []
        return self.faults + unsigned

    def to_json(self) -> dict:
        """The design's JSON object for this file (``file``, ``valid``, ``missing_roles``...)."""
        if self.report is None:
            return {
                "file": self.file,
                "valid": False,
                "error": self.error,
                "missing_roles": [],
                "signatures": [],
            }
        entry = self.report.to_json()
        if self.provenance is not None:
            entry |= self.provenance.to_json()
        entry["valid"] = self.bottom_line
        return entry
