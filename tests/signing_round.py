"""A part-signed round of se-2018, recorded through the tracker API, for the report tests."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from mougen.roles import ROLE_IDS
from mougen.tracker import SignatureFacts, Tracker

MOU = "se-2018"
PARTIES = 19
#: Who has signed what: one authority complete, two part-signed, the rest untouched.
SIGNED: dict[str, tuple[str, ...]] = {
    "milton-keynes": ROLE_IDS,
    "windsor-and-maidenhead": ("dcs",),
    "kent": ("dcs", "lead-member"),
}
SIGNED_AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
#: A signer name that needs escaping in HTML.
SIGNER = "Ann <Lee> & Co"


def _sha(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def record_round(tracker: Tracker) -> None:
    """Issue a PDF to every signing authority and record the signatures in ``SIGNED``."""
    for slug, roles in SIGNED.items():
        pdf = _sha(MOU, slug, "issued")
        tracker.record_issue(
            mou=MOU,
            authority=slug,
            pdf_sha256=pdf,
            issued_at=datetime(2026, 3, 1, tzinfo=UTC),
            issued_by="coordinator",
            manifest=f"issued/{MOU}/{slug}.json",
        )
        for role in roles:
            tracker.record_signature(signed(slug, role))


def signed(slug: str, role: str, **changes: object) -> SignatureFacts:
    """One valid signature of se-2018 by ``role`` of ``slug``.

    Every signature of an authority is in one file, the fully signed document, unless
    ``changes`` say otherwise (a separate counterpart has its own ``file_sha256``).
    """
    facts = SignatureFacts(
        mou=MOU,
        authority=slug,
        role=role,
        signer_name=f"{SIGNER} ({role})",
        signer_email=f"{role}@{slug}.example",
        cert_sha256=_sha("cert", slug, role),
        signed_at=SIGNED_AT,
        timestamp_at=None,
        verdict="TOTAL_PASSED",
        signature_sha256=_sha("cms", slug, role),
        archive_path=f"signed/{MOU}/{slug}.pdf",
        file_sha256=_sha(MOU, slug),
    )
    return replace(facts, **changes)


def signature_count() -> int:
    """How many role signatures ``record_round`` records."""
    return sum(len(roles) for roles in SIGNED.values())
