"""mougen sign --level: B-LT and B-LTA through a local TSA, with programme certificates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import crl, ocsp
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore

from tests.programme import Programme, make_programme
from tests.signing import pdfsig
from tests.trust_services import TrustServices
from tests.verify_docs import issued_pdf

PYHANKO = str(Path(sys.executable).with_name("pyhanko"))


@pytest.fixture(scope="module")
def programme(tmp_path_factory) -> Programme:
    with TrustServices() as services:
        yield make_programme(tmp_path_factory.mktemp("programme"), services)


def _roots(programme: Programme) -> list[Path]:
    return [programme.ca_root, programme.services.write_root(programme.dir / "tsa-root.pem")]


def _dss_gaps(pdf: Path) -> list[str]:
    """Certificates in the DSS (other than roots) with neither a CRL nor an OCSP answer."""
    with pdf.open("rb") as handle:
        dss = DocumentSecurityStore.read_dss(PdfFileReader(handle, strict=False))
        crls = [crl.CertificateList.load(r.get_object().data) for r in dss.crls]
        answers = [ocsp.OCSPResponse.load(r.get_object().data) for r in dss.ocsps]
        certs = list(dss.load_certs())
    answered = {
        s["cert_id"]["serial_number"].native
        for a in answers
        for s in a["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]
    }
    issuers = {c.issuer.dump() for c in crls}
    return [
        c.subject.human_friendly
        for c in certs
        if c.subject != c.issuer
        and c.ocsp_no_check_value is None  # an OCSP responder's own certificate
        and c.issuer.dump() not in issuers
        and c.serial_number not in answered
    ]


def pyhanko_adesverify(pdf: Path, roots: list[Path], *extra: str) -> str:
    """pyHanko's own AdES (B-LT/B-LTA) validation of every signature, from its CLI."""
    trust = [arg for root in roots for arg in ("--trust", str(root))]
    args = [PYHANKO, "sign", "adesverify", "--executive-summary", *trust, *extra, str(pdf)]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_long_term_levels_embed_revocation_data_that_pyhanko_and_pdfsig_accept(
    programme: Programme, tmp_path: Path, level: str
):
    tsa = programme.services.tsa_url
    signed = programme.sign_all(tmp_path, "--level", level, "--tsa", tsa, "--allow-fetch")
    assert _dss_gaps(signed) == []
    verdicts = pyhanko_adesverify(signed, _roots(programme)).splitlines()
    assert len(verdicts) == 3 and all(v.endswith(":VALID") for v in verdicts), verdicts
    report = pdfsig(signed, _roots(programme), tmp_path)
    assert report.count("Signature Validation: Signature is Valid.") >= 3, report
    assert report.count("Certificate Validation: Certificate is Trusted.") >= 3, report
    with signed.open("rb") as handle:
        timestamps = PdfFileReader(handle, strict=False).embedded_timestamp_signatures
        assert len(timestamps) == (3 if level == "B-LTA" else 0)


def test_the_programme_crl_is_embedded_without_network_access(programme: Programme, tmp_path):
    """No --allow-fetch: the workspace's own CRL covers the signer; the TSA is not covered."""
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued_pdf())
    out = tmp_path / "signed.pdf"
    result = programme.sign(pdf, "dcs", out, "--level", "B-LT", "--tsa", programme.services.tsa_url)
    assert result.exit_code == 1 and not out.exists()
    assert "no CRL or OCSP response for Common Name: mougen Test TSA" in result.stderr
    assert "Milton" not in result.stderr  # the programme certificate was covered offline


def test_the_timestamp_authority_defaults_to_the_programme_regions(programme, tmp_path):
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued_pdf())
    out = tmp_path / "signed.pdf"
    result = programme.sign(pdf, "dcs", out, "--level", "B-T")  # tsa_url from the region
    assert result.exit_code == 0, result.output
    assert "PAdES B-T" in result.stdout
    _, report = programme.verify(out)
    (signature,) = report["signatures"]
    assert signature["timestamp"] is not None and signature["indication"] == "TOTAL_PASSED"


def test_each_timestamped_signature_asks_the_tsa_once(programme, tmp_path):
    """pyHanko sizes a signature by a sample timestamp its stamper asks for once; a stamper
    made per signature asked the TSA twice for every B-T signature."""
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued_pdf())
    services = programme.services
    first = programme.sign(pdf, "dcs", tmp_path / "first.pdf", "--level", "B-T")
    assert first.exit_code == 0, first.output
    asked = services.tsa_requests
    for n in range(3):
        again = programme.sign(pdf, "dcs", tmp_path / f"again-{n}.pdf", "--level", "B-T")
        assert again.exit_code == 0, again.output
    assert services.tsa_requests - asked == 3


def test_a_slow_ocsp_responder_stamping_its_answer_now_is_not_too_recent(programme, tmp_path):
    """The answer about the TSA's certificate comes seconds after signing began: pyHanko's
    one-second tolerance called it "too recent" and B-LTA failed on a busy machine."""
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued_pdf())
    out = tmp_path / "signed.pdf"
    programme.services.ocsp_delay = 2.5
    try:
        result = programme.sign(
            pdf,
            "dcs",
            out,
            "--level",
            "B-LTA",
            "--tsa",
            programme.services.tsa_url,
            "--allow-fetch",
        )
    finally:
        programme.services.ocsp_delay = 0.0
    assert result.exit_code == 0, result.stderr
    assert not _dss_gaps(out)
