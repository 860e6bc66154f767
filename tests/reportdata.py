"""Verification reports made up for tests of what prints them (certificate, audit report)."""

from __future__ import annotations

from dataclasses import replace

from mougen.verify.status import Indication, Modification, SignatureReport


def signature_report(field: str, signer: str, email: str | None, **changes) -> SignatureReport:
    """A valid, trusted signature of ``field`` by ``signer``, with ``changes`` made."""
    report = SignatureReport(
        field=field,
        signer=signer,
        email=email,
        cert_sha256="c0" * 32,
        signature_sha256="5e" * 32,
        signing_time="2026-11-20T10:00:00+00:00",
        timestamp=None,
        intact=True,
        valid=True,
        trusted=True,
        revoked=False,
        coverage="ENTIRE_REVISION",
        modification=Modification.FORM_FILLING,
        changes=None,
        indication=Indication.TOTAL_PASSED,
        sub_indication=None,
        revision=1,
        sub_filter="/ETSI.CAdES.detached",
        programme=None,
        trust_anchor=None,
        warnings=(),
    )
    return replace(report, **changes)
