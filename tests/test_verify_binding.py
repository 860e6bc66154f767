"""Signer binding in a workspace: each field signed by the person bound to that role.

Signatures are made with pyHanko directly (tests/verify_docs.py), so mougen's own signing
checks cannot hide a gap in verification.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes

from mougen.pack import build_pack
from mougen.pack.issued import record_issued
from mougen.pki import configured_signatory, init_ca, issue_certificate, load_ca
from mougen.pki.binding import ProgrammeBinding
from mougen.roles import ROLE_IDS
from mougen.workspace import Workspace
from tests.conftest import scratch_workspace, take_up
from tests.pki import Issued, TestPki
from tests.verify_docs import sign, write

MOU, MK = "se-2018", "milton-keynes"
REGIONS = ("south-east", "london")
WHEN = datetime(2026, 11, 22, tzinfo=UTC)
CA_PASS = b"binding tests only"
NAMES = {
    "dcs": "Michael Bracey",
    "lead-member": "Cllr Zoe Nolan",
    "chief-executive": "Carole Mills",
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Workspace, bytes]:
    """A workspace with programme CAs for the South East and London, and Milton Keynes'
    se-2018 MoU packed and recorded as issued: made once per module; the issued PDF."""
    ws = scratch_workspace(tmp_path_factory.mktemp("prepared") / "ws")
    for region in REGIONS:
        init_ca(ws, region, CA_PASS, when=datetime.now(UTC))
    pack = build_pack(ws, MOU, MK, ws.root.parent / "packs", WHEN)
    record_issued(ws, [pack], WHEN)
    return ws, (pack.folder / f"{MOU}--{MK}.pdf").read_bytes()


@pytest.fixture
def issued(workspace, prepared) -> bytes:
    """Milton Keynes' se-2018 MoU, packed and recorded as issued; the workspace has the CAs."""
    ws, pdf = prepared
    take_up(workspace, ws)
    return pdf


@pytest.fixture
def cas(workspace, issued):
    """Programme CAs for the South East and London."""
    return {r: load_ca(workspace, r, CA_PASS) for r in REGIONS}


def _programme(workspace, ca, slug: str, role: str, *, urn: ProgrammeBinding | None = None):
    """A programme certificate from ``ca`` for ``slug``'s ``role`` (or naming ``urn``)."""
    _, who = configured_signatory(workspace, slug, role, name=NAMES[role])
    if urn is not None:
        who = type(who)(who.name, who.email, who.council, who.role_title, urn)
    cert = issue_certificate(ca, who, when=datetime.now(UTC))
    return Issued(cert.cert, cert.key, [cert.ca_cert])


def _rightful(workspace, cas) -> dict[str, Issued]:
    """Each role's own South East programme certificate for Milton Keynes."""
    return {r: _programme(workspace, cas["south-east"], MK, r) for r in ROLE_IDS}


def _sign_fields(pdf: bytes, signers: dict[str, Issued]) -> bytes:
    for role, who in signers.items():
        pdf = sign(pdf, role, who)
    return pdf


def _configure(workspace, role: str, extra: str) -> None:
    """Add ``extra`` (YAML mapping entries) to Milton Keynes' ``role`` signatory."""
    region = workspace.regions_dir / "south-east.yaml"
    named = f"{role}: {{name: {NAMES[role]}"
    text = region.read_text()
    assert named + "}" in text
    region.write_text(text.replace(named + "}", f"{named}, {extra}}}"))


@pytest.fixture
def check(run_cli, workspace, tmp_path):
    """Verify ``pdf`` in the workspace, then collect it; returns (exit code, JSON, filed?).

    ``run.text()`` is the human-readable verification of the last file checked.
    """
    outside = TestPki("Council PKI Root")
    root = outside.root.write_pem(tmp_path / "council-root.pem")

    def run(pdf: bytes) -> tuple[int, dict, bool]:
        inbox = tmp_path / "inbox"
        inbox.mkdir(exist_ok=True)
        path = write(inbox / "returned.pdf", pdf)
        result = run_cli("verify", str(path), "--trust", str(root), "--json")
        collected = run_cli("collect", str(inbox), "--trust", str(root))
        assert "Traceback" not in collected.output
        filed = any(workspace.signed_dir.glob(f"{MOU}/{MK}/*.pdf"))
        assert filed == (collected.exit_code == 0)
        return result.exit_code, json.loads(result.output)[0], filed

    run.outside = outside
    run.text = lambda: (
        run_cli("verify", str(tmp_path / "inbox" / "returned.pdf"), "--trust", str(root)).output
    )
    return run


def test_three_correct_programme_certificates_pass(workspace, cas, issued, check):
    signers = _rightful(workspace, cas)
    code, report, filed = check(_sign_fields(issued, signers))
    assert code == 0, report
    assert report["valid"] and report["provenance_problems"] == []
    assert {s["programme"] for s in report["signatures"]} == {
        f"urn:mougen:south-east:{MK}:{r}" for r in ROLE_IDS
    }
    assert filed


def test_one_certificate_in_all_three_fields(workspace, cas, issued, check):
    dcs = _programme(workspace, cas["south-east"], MK, "dcs")
    code, report, filed = check(_sign_fields(issued, dict.fromkeys(ROLE_IDS, dcs)))
    assert code == 1 and not report["valid"] and not filed
    problems = report["provenance_problems"]
    assert any(
        "one certificate (Michael Bracey) signs the dcs and lead-member and" in p for p in problems
    )
    assert any(
        p.startswith(
            "the chief-executive field of milton-keynes is signed by Michael Bracey, "
            "whose programme certificate is for the dcs of milton-keynes (south-east)"
        )
        for p in problems
    )


# Each case: the role whose field gets the wrong certificate, who issues it (region CA), for
# which authority, with which URN (None: the one for that authority and role), and what the
# coordinator is told.
_WRONG_PROGRAMME_CERTIFICATES = {
    "another authority's": (
        "dcs",
        "south-east",
        "kent",
        None,
        [
            "the dcs field of milton-keynes",
            "programme certificate is for the dcs of kent (south-east)",
        ],
    ),
    "another region's": (
        "lead-member",
        "london",
        "barnet",
        None,
        ["lead-member field of milton-keynes", "trust root of the london region"],
    ),
    # London's CA issues a certificate claiming the South East URN for Milton Keynes' DCS.
    "another region's CA minting this region's URN": (
        "dcs",
        "london",
        MK,
        ProgrammeBinding("south-east", MK, "dcs"),
        ["dcs field of milton-keynes", "london region"],
    ),
}


@pytest.mark.parametrize("case", _WRONG_PROGRAMME_CERTIFICATES, ids=str)
def test_a_wrong_programme_certificate_is_refused(workspace, cas, issued, check, case):
    role, region, authority, urn, expected = _WRONG_PROGRAMME_CERTIFICATES[case]
    signers = _rightful(workspace, cas)
    signers[role] = _programme(workspace, cas[region], authority, role, urn=urn)
    code, report, filed = check(_sign_fields(issued, signers))
    assert code == 1 and not filed
    [problem] = report["provenance_problems"]
    for words in expected:
        assert words in problem


def test_unbound_outside_certificate(workspace, cas, issued, check):
    signers = _rightful(workspace, cas)
    signers["chief-executive"] = check.outside.signer("Carole Mills", "carole@mk.example")
    code, report, filed = check(_sign_fields(issued, signers))
    assert code == 1 and not filed
    [problem] = report["provenance_problems"]
    assert problem.startswith(
        "the chief-executive field of milton-keynes is signed by Carole Mills "
        "<carole@mk.example>, who is not bound to that role"
    )
    # Everything else about the signature holds: it is the binding that fails.
    assert all(s["indication"] == "TOTAL_PASSED" for s in report["signatures"])


def test_outside_certificate_bound_by_fingerprint_or_email(workspace, cas, issued, check):
    by_fingerprint = check.outside.signer("Carole Mills")
    by_email = check.outside.signer("Cllr Zoe Nolan", "zoe.nolan@mk.example")
    fingerprint = by_fingerprint.cert.fingerprint(hashes.SHA256()).hex(":")
    _configure(workspace, "chief-executive", f"cert_sha256: ['{fingerprint.upper()}']")
    _configure(workspace, "lead-member", "email: Zoe.Nolan@mk.example")
    signers = {
        "dcs": _programme(workspace, cas["south-east"], MK, "dcs"),
        "lead-member": by_email,
        "chief-executive": by_fingerprint,
    }
    code, report, filed = check(_sign_fields(issued, signers))
    assert code == 0, report["provenance_problems"]
    assert filed


def test_config_says_one_person_holds_two_roles(workspace, cas, issued, check):
    both = check.outside.signer("Carole Mills", "carole@mk.example")
    _configure(workspace, "dcs", "email: carole@mk.example")
    _configure(workspace, "chief-executive", "email: carole@mk.example")
    signers = {
        "dcs": both,
        "lead-member": _programme(workspace, cas["south-east"], MK, "lead-member"),
        "chief-executive": both,
    }
    code, report, filed = check(_sign_fields(issued, signers))
    assert code == 0, report["provenance_problems"]
    assert filed


def test_signer_configured_for_another_role(workspace, cas, issued, check):
    carole = check.outside.signer("Carole Mills", "carole@mk.example")
    _configure(workspace, "chief-executive", "email: carole@mk.example")
    signers = _rightful(workspace, cas)
    signers["dcs"] = carole
    code, report, filed = check(_sign_fields(issued, signers))
    assert code == 1 and not filed
    assert report["provenance_problems"] == [
        "the dcs field of milton-keynes is signed by Carole Mills <carole@mk.example>, "
        "who is configured as its Chief Executive"
    ]
    text = check.text()
    assert "who is configured as its Chief Executive" in text
    assert "verdict: VALID" not in text


def test_a_malformed_fingerprint_names_the_key(workspace, run_cli):
    _configure(workspace, "dcs", "cert_sha256: [not-a-fingerprint]")
    result = run_cli("check")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "south-east.yaml" in result.output
    assert "signatories.dcs.cert_sha256" in result.output
