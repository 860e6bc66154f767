"""mougen sign with a council's own certificate: signed with a warning, then trusted once the
coordinator adds the council's root and binds the signer; and every refusal, word for word."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko_certvalidator.errors import (
    InvalidCertificateError,
    PathBuildingError,
)

from mougen.pack import build_pack
from mougen.pack.issued import record_issued
from mougen.signing.chain import plain_problem
from mougen.workspace import Workspace
from tests.conftest import scratch_workspace, take_up
from tests.pki import Issued, TestPki
from tests.test_sign import tsa_server
from tests.verify_docs import issued_pdf

MOU, MK = "se-2018", "milton-keynes"
WHEN = datetime(2026, 11, 22, tzinfo=UTC)
PASSPHRASE = b"council-Key-4417"
PEOPLE = {
    "dcs": ("Michael Bracey", "michael.bracey@mk.example"),
    "lead-member": ("Cllr Zoe Nolan", "zoe.nolan@mk.example"),
    "chief-executive": ("Carole Mills", "carole.mills@mk.example"),
}
WARNING = (
    "mougen: warning: this certificate's root, {root}, is not among the roots this workspace "
    "trusts: the coordinator must add it to region.trust_roots (or whoever verifies pass "
    "--trust) before the signature will count"
)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Workspace, Path]:
    """A workspace with Milton Keynes' se-2018 MoU packed and recorded as issued."""
    ws = scratch_workspace(tmp_path_factory.mktemp("prepared") / "ws")
    pack = build_pack(ws, MOU, MK, ws.root.parent / "packs", WHEN)
    record_issued(ws, [pack], WHEN)
    return ws, pack.folder / f"{MOU}--{MK}.pdf"


@pytest.fixture
def issued(workspace: Workspace, prepared: tuple[Workspace, Path]) -> Path:
    take_up(workspace, prepared[0])
    return prepared[1]


@pytest.fixture(scope="module")
def council() -> TestPki:
    """A council's own CA, which the workspace has never heard of."""
    return TestPki("Milton Keynes Council Root CA")


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch) -> None:
    monkeypatch.setenv("MOUGEN_P12_PASSPHRASE", PASSPHRASE.decode())


def _p12(who: Issued, tmp_path: Path, name: str) -> Path:
    return who.write_p12(tmp_path / f"{name}.p12", PASSPHRASE)


def _sign(run_cli, pdf: Path, role: str, p12: Path, out: Path, *extra: str):
    return run_cli("sign", str(pdf), "--role", role, "--p12", str(p12), "-o", str(out), *extra)


def _trust_and_bind(ws: Workspace, root_pem: Path) -> None:
    """What the coordinator does: trust the council's root, bind each signer by email."""
    region = ws.regions_dir / "south-east.yaml"
    text = region.read_text().replace("region:\n", f"region:\n  trust_roots: [{root_pem}]\n", 1)
    for role, (name, email) in PEOPLE.items():
        text = text.replace(
            f"{role}: {{name: {name}}}", f"{role}: {{name: {name}, email: {email}}}"
        )
    region.write_text(text)


def test_a_council_certificate_signs_with_a_warning_and_counts_once_trusted_and_bound(
    run_cli, workspace: Workspace, issued: Path, council: TestPki, tmp_path: Path
):
    pdf = issued
    for role, (name, email) in PEOPLE.items():
        out = tmp_path / f"after-{role}.pdf"
        result = _sign(run_cli, pdf, role, _p12(council.signer(name, email), tmp_path, role), out)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"Signed {role} as {name} (PAdES B-B): ")
        assert result.stderr.splitlines() == [WARNING.format(root="Milton Keynes Council Root CA")]
        pdf = out
    before = run_cli("verify", str(pdf), "--json")
    assert before.exit_code == 1
    [report] = json.loads(before.stdout)
    assert [s["trusted"] for s in report["signatures"]] == [False] * 3
    assert {s["sub_indication"] for s in report["signatures"]} == {"NO_CERTIFICATE_CHAIN_FOUND"}

    _trust_and_bind(workspace, council.root.write_pem(tmp_path / "council-root.pem"))
    after = run_cli("verify", str(pdf), "--json")
    [report] = json.loads(after.stdout)
    assert after.exit_code == 0, report
    assert [s["trusted"] for s in report["signatures"]] == [True] * 3


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def _refused(result, out: Path) -> str:
    """The one line a refusal prints; nothing is written."""
    assert result.exit_code == 1, result.output
    [line] = result.stderr.splitlines()
    assert not out.exists() and not list(out.parent.glob("*.tmp"))
    return line


@pytest.fixture
def plain_pdf(tmp_path: Path) -> Path:
    pdf = tmp_path / "mou.pdf"
    pdf.write_bytes(issued_pdf())
    return pdf


def test_a_self_signed_certificate_signs_with_a_warning(run_cli, plain_pdf, tmp_path, council):
    alone = council.signer("Sam Lowe", "sam@example.gov.uk", self_signed=True)
    out = tmp_path / "signed.pdf"
    result = _sign(run_cli, plain_pdf, "dcs", _p12(alone, tmp_path, "sam"), out)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [WARNING.format(root="Sam Lowe")]
    assert out.exists()


def test_an_expired_certificate_is_refused(run_cli, plain_pdf, tmp_path, council):
    now = datetime.now(UTC)
    old = council.signer(
        "Ann Old", not_before=now - timedelta(days=400), not_after=now - timedelta(days=2)
    )
    out = tmp_path / "signed.pdf"
    line = _refused(_sign(run_cli, plain_pdf, "dcs", _p12(old, tmp_path, "old"), out), out)
    end = old.cert.not_valid_after_utc
    assert line == f"mougen: the certificate of Ann Old expired on {_day(end)}: it cannot sign"


def test_a_certificate_not_yet_valid_is_refused(run_cli, plain_pdf, tmp_path, council):
    now = datetime.now(UTC)
    soon = council.signer("Ben New", not_before=now + timedelta(days=3))
    out = tmp_path / "signed.pdf"
    line = _refused(_sign(run_cli, plain_pdf, "dcs", _p12(soon, tmp_path, "new"), out), out)
    start = soon.cert.not_valid_before_utc
    assert (
        line
        == f"mougen: the certificate of Ben New is not valid until {_day(start)}: it cannot sign"
    )


def test_a_certificate_without_the_signing_key_usage_is_refused(
    run_cli, plain_pdf, tmp_path, council
):
    mute = council.signer("Cy Mute", can_sign=False)
    out = tmp_path / "signed.pdf"
    line = _refused(_sign(run_cli, plain_pdf, "dcs", _p12(mute, tmp_path, "mute"), out), out)
    assert line == (
        "mougen: the certificate of Cy Mute may not sign documents "
        "(its key usage is key_encipherment)"
    )


def test_a_certificate_revoked_by_the_crls_at_hand_is_refused(
    run_cli, plain_pdf, tmp_path, council
):
    gone = council.signer("Di Gone")
    crl = council.write_crl(tmp_path / "council.crl", [(gone, datetime.now(UTC))])
    out = tmp_path / "signed.pdf"
    result = _sign(run_cli, plain_pdf, "dcs", _p12(gone, tmp_path, "gone"), out, "--crl", str(crl))
    line = _refused(result, out)
    assert (
        line == "mougen: the certificate of Di Gone is revoked by the CRLs at hand: it cannot sign"
    )


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_a_long_term_signature_without_a_chain_names_the_certificate_and_what_to_pass(
    run_cli, plain_pdf, tmp_path, council, level
):
    lone = council.signer("Ed Lone")
    lone.chain = []  # the PKCS#12 file holds no issuer
    out = tmp_path / "signed.pdf"
    with tsa_server(council) as url:
        result = _sign(
            run_cli,
            plain_pdf,
            "dcs",
            _p12(lone, tmp_path, "lone"),
            out,
            "--level",
            level,
            "--tsa",
            url,
        )
    line = _refused(result, out)
    assert line == (
        f"mougen: cannot make PAdES {level}: the certificate of Ed Lone cannot be chained to a "
        "trusted root (its issuer Milton Keynes Council Root CA is not at hand); give --chain "
        "FILE with its issuing CAs and --trust FILE with their root, and --crl FILE or "
        "--allow-fetch for revocation data"
    )


def _raised_from(outer: Exception, inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception as exc:
            raise outer from exc
    except Exception as exc:
        return exc


@pytest.mark.parametrize(
    ("inner", "words"),
    [
        (
            PathBuildingError("Unable to build a validation path"),
            "cannot be chained to a trusted root",
        ),
        (
            InvalidCertificateError("The X.509 certificate provided is self-signed"),
            "cannot be chained to a trusted root",
        ),
    ],
)
def test_certvalidator_errors_are_reworded_even_when_wrapped_by_pyhanko(inner, words):
    """What sign and archive extend print instead of certvalidator's own message."""
    wrapped = _raised_from(PyHankoSigningError("Signer certificate failed validation"), inner)
    assert plain_problem(wrapped) == words
    assert plain_problem(ValueError("not a certificate problem")) is None


@pytest.mark.parametrize(
    ("content", "plain"),
    [
        (b"hello, not a PDF\n", "it does not begin as a PDF does"),
        (issued_pdf()[:2000], "it is cut short: no end-of-file marker"),
    ],
    ids=["not-a-pdf", "cut-short"],
)
@pytest.mark.parametrize("command", ["sign", "verify"])
def test_a_file_that_is_not_a_pdf_is_named_in_plain_words(
    run_cli, tmp_path, council, command, content, plain
):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    if command == "sign":
        p12 = _p12(council.signer("Fay Plain"), tmp_path, "fay")
        result = _sign(run_cli, path, "dcs", p12, tmp_path / "out.pdf")
    else:
        result = run_cli("verify", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"mougen: {path}: not a readable PDF ({plain})"]
