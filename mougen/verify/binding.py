"""Signer binding: whether each signature in a role field is by someone bound to that role.

A signer is bound to an authority's role by a programme certificate of the MoU's own region
CA naming that region, authority and role (``urn:mougen:...``), or by the region config
(the role's ``email`` or ``cert_sha256``). One certificate fills one role of a MoU unless the
config binds it to each role it fills. Each problem is a sentence for the coordinator.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from mougen.config.catalog import MouEntry
from mougen.config.models import Authority, Signatory
from mougen.pki.binding import ProgrammeBinding, parse_binding_uri
from mougen.roles import ROLE_IDS, role
from mougen.verify.status import SignatureReport
from mougen.verify.workspace_trust import RegionTrust

_HOW_TO_BIND = (
    "give them a programme certificate for it, or bind their certificate in the region "
    "config (the role's email or cert_sha256)"
)


def binding_problems(
    signatures: Sequence[SignatureReport], entry: MouEntry, slug: str, trust: RegionTrust
) -> list[str]:
    """What is wrong with who signed which field of ``slug``'s copy of ``entry``'s MoU."""
    authority = entry.party(slug)
    problems = [
        problem
        for s in signatures
        if (problem := _field_problem(s, entry, authority, trust)) is not None
    ]
    return problems + _shared_certificates(signatures, authority)


def _field_problem(
    s: SignatureReport, entry: MouEntry, authority: Authority, trust: RegionTrust
) -> str | None:
    if s.field not in ROLE_IDS:
        return f"signature in field {s.field!r}, which is not a signatory's field"
    region = entry.region.id
    start = f"the {s.field} field of {authority.slug} is signed by {_who(s)}"
    foreign = trust.foreign_region(region, s.trust_anchor)
    if foreign is not None:
        return (
            f"{start}, whose certificate chains to a trust root of the {foreign} region, "
            f"which vouches for {foreign}'s MoUs only"
        )
    if _bound(s, region, authority, trust):
        return None
    return f"{start}, {_what_they_are(s, entry, authority, trust)}"


def _bound(s: SignatureReport, region: str, authority: Authority, trust: RegionTrust) -> bool:
    expected = ProgrammeBinding(region, authority.slug, s.field)
    if s.programme == expected.uri and trust.is_programme_ca(region, s.trust_anchor):
        return True
    return authority.signatories.for_role(s.field).binds(s.email, s.cert_sha256)


def _what_they_are(
    s: SignatureReport, entry: MouEntry, authority: Authority, trust: RegionTrust
) -> str:
    """Why the signer does not fit the field: the role they are bound to instead, or none."""
    own = authority.signatories.roles_bound(s.email, s.cert_sha256)
    if own:
        return f"who is configured as its {_titles(own)}"
    for other in entry.parties:
        if roles := other.signatories.roles_bound(s.email, s.cert_sha256):
            return f"who is configured as {other.slug}'s {_titles(roles)}"
    programme = parse_binding_uri(s.programme) if s.programme else None
    if programme is not None and trust.is_programme_ca(programme.region, s.trust_anchor):
        return f"whose programme certificate is for {programme.describe()}"
    if programme is not None:
        return (
            f"whose certificate claims to be for {programme.describe()} but was not issued "
            f"by that region's programme CA"
        )
    expected = authority.signatories.for_role(s.field)
    if expected.email or expected.cert_sha256:
        return f"but {authority.slug}'s {s.field} is configured as {_binding_of(expected)}"
    return f"who is not bound to that role ({_HOW_TO_BIND})"


def _shared_certificates(signatures: Sequence[SignatureReport], authority: Authority) -> list[str]:
    """One certificate in several role fields, unless the config binds it to each of them."""
    fields: dict[str, list[SignatureReport]] = defaultdict(list)
    for s in signatures:
        if s.cert_sha256 is not None and s.field in ROLE_IDS:
            fields[s.cert_sha256].append(s)
    problems = []
    for shared in fields.values():
        roles = sorted({s.field for s in shared}, key=ROLE_IDS.index)
        configured = authority.signatories.roles_bound(shared[0].email, shared[0].cert_sha256)
        if len(roles) > 1 and not set(roles) <= set(configured):
            problems.append(
                f"one certificate ({_who(shared[0])}) signs the {' and '.join(roles)} fields "
                f"of {authority.slug}; one certificate fills one role unless the config binds "
                "it to each"
            )
    return problems


def _binding_of(signatory: Signatory) -> str:
    found = [f"<{signatory.email}>"] if signatory.email else []
    found += [f"the certificate with SHA-256 {f}" for f in signatory.cert_sha256]
    return " or ".join(found)


def _who(s: SignatureReport) -> str:
    name = s.signer or "an unnamed signer"
    return f"{name} <{s.email}>" if s.email else name


def _titles(role_ids: Sequence[str]) -> str:
    return " and ".join(role(r).title for r in role_ids)
