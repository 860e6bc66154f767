"""What a verification found: one report per signature and per file, with ETSI indications."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from mougen.verify.metadata import MetadataChange


class Indication(StrEnum):
    """The main indication of ETSI EN 319 102-1 (clause 5.1.3)."""

    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"


class Modification(StrEnum):
    """How the file changed after a signature, in pyHanko's modification levels."""

    NONE = "NONE"
    LTA_UPDATES = "LTA_UPDATES"
    FORM_FILLING = "FORM_FILLING"
    ANNOTATIONS = "ANNOTATIONS"
    OTHER = "OTHER"


@dataclass(frozen=True)
class SignatureReport:
    """One signature: who signed which field when, and whether it holds up."""

    field: str
    signer: str | None
    email: str | None
    cert_sha256: str | None
    #: The ``urn:mougen:<region>:<authority>:<role>`` a programme certificate names, if any.
    programme: str | None
    #: SHA-256 of the trusted root the signer's certificate chains to (None if untrusted).
    trust_anchor: str | None
    #: SHA-256 of what the signer signed (certificate, signed attributes, signature value):
    #: the same signature copied into another file, or with its unsigned CMS parts
    #: re-encoded, has the same fingerprint.
    signature_sha256: str | None
    signing_time: str | None
    #: The time a trusted timestamp proves (None when there is none, or it does not count).
    timestamp: str | None
    #: What an auditor should know that does not by itself fail the signature.
    warnings: tuple[str, ...]
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    coverage: str
    modification: Modification
    changes: str | None
    indication: Indication
    sub_indication: str | None
    revision: int
    sub_filter: str | None

    @property
    def passed(self) -> bool:
        """Whether this signature is valid, trusted and not undermined by a later change."""
        return self.indication is Indication.TOTAL_PASSED

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FileReport:
    """One PDF: its signatures, the roles still unsigned, and the overall verdict."""

    file: str
    sha256: str
    first_revision_sha256: str | None
    signatures: list[SignatureReport] = field(default_factory=list)
    missing_roles: list[str] = field(default_factory=list)
    #: What is wrong with the file as a whole (bytes outside any revision, say).
    problems: list[str] = field(default_factory=list)
    #: Document timestamps (PAdES B-LTA), oldest first; their "signer" is the TSA.
    document_timestamps: list[SignatureReport] = field(default_factory=list)
    #: Document information and XMP values changed after the last signature (listed, and
    #: failing the file only under ``verify.metadata.METADATA_CHANGES_FAIL``).
    metadata_changes: list[MetadataChange] = field(default_factory=list)

    @property
    def fully_executed(self) -> bool:
        """Fully executed: every expected role signed, every signature and every document
        timestamp passed, and no problem with the file as a whole."""
        return (
            bool(self.signatures)
            and not self.missing_roles
            and not self.problems
            and all(s.passed for s in [*self.signatures, *self.document_timestamps])
        )

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "valid": self.fully_executed,
            "missing_roles": list(self.missing_roles),
            "sha256": self.sha256,
            "first_revision_sha256": self.first_revision_sha256,
            "problems": list(self.problems),
            "signatures": [s.to_json() for s in self.signatures],
            "document_timestamps": [t.to_json() for t in self.document_timestamps],
            "metadata_changes": [c.to_json() for c in self.metadata_changes],
        }
