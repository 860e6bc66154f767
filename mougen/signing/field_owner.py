"""Whose signature fields a PDF holds, and the check that a programme certificate is for
that authority and the field's role.

A programme certificate names the region, authority and role it was issued for
(:mod:`mougen.pki.binding`). Signing with it in another field, or another authority's
MoU, would only be refused later by collect and verify; ``mougen sign`` refuses at once.
The authority comes from the workspace's tracker, which recorded the issued PDF's hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import x509

from mougen.errors import SigningError
from mougen.pki.binding import read_binding
from mougen.tracker import Tracker
from mougen.workspace import Workspace


@dataclass(frozen=True)
class FieldOwner:
    """The authority an issued MoU belongs to, as the workspace recorded its issue."""

    mou: str
    region: str
    authority: str
    council: str


def issued_to(ws: Workspace, tracker: Tracker, issued_sha256: str) -> FieldOwner | None:
    """The owner of the issued PDF with this SHA-256, if the tracker recorded its issue."""
    issue = tracker.find_issue(issued_sha256)
    if issue is None:
        return None
    entry = ws.catalog.mou(issue.mou)
    council = entry.party(issue.authority).council
    return FieldOwner(issue.mou, entry.region.id, issue.authority, council)


def check_binding(cert: x509.Certificate, role: str, owner: FieldOwner | None) -> str | None:
    """Refuse a programme certificate issued for another role, authority or region.

    Returns a note when only the role could be checked (the PDF's owner is unknown).
    A certificate that is not a programme certificate is bound by the region config,
    which collect and verify check.
    """
    binding = read_binding(cert)
    if binding is None:
        return None
    if binding.role != role:
        raise SigningError(
            f"this certificate was issued for {binding.describe()}: it cannot sign the {role} field"
        )
    if owner is None:
        return (
            f"the certificate is for {binding.describe()}; only its role was checked, as "
            "this PDF is not one the workspace's tracker recorded as issued"
        )
    if (binding.region, binding.authority) != (owner.region, owner.authority):
        raise SigningError(
            f"this certificate was issued for {binding.describe()}, but this MoU "
            f"({owner.mou}) was issued to {owner.authority} ({owner.region})"
        )
    return None
