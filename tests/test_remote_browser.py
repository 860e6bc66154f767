"""Remote signing in a real browser: one authority's three signatories each sign from the
link in their email with the code emailed to them, against gunicorn with two workers on
SQLite and PostgreSQL, keys in a SoftHSM2 token; axe-core checks every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from selenium.webdriver.common.by import By

from mougen.roles import ROLE_IDS
from mougen.workspace import Workspace
from tests.browser import Browser, chromium_available
from tests.conftest import backend_url
from tests.remoteround import served_remote_round
from tests.signing import pdfsig
from tests.softhsm import PIN, soft_token
from tests.test_web_browser import Steps, _link
from tests.webround import AUTHORITY, COORDINATOR, email

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_available() is not None, reason=str(chromium_available())),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, workspace) -> str:
    return backend_url(request, workspace.db_url)


@pytest.fixture(scope="module")
def chromium():
    made = Browser()
    yield made
    made.quit()


def test_three_remote_signatures_in_the_browser(workspace, db_url, tmp_path, run_cli, chromium):
    chromium.forget()
    with (
        soft_token(tmp_path / "softhsm") as token,
        served_remote_round(workspace, token, db_url, run_cli) as (ws, server, mailbox),
    ):
        steps = Steps(chromium, server.url, tmp_path, once_per_title=True)
        codes = [_sign_remotely(steps, mailbox, role) for role in ROLE_IDS]
        executed = mailbox.wait_for(COORDINATOR, "Fully executed")
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log and PIN not in log
    assert not any(code in log for code in codes)
    pdf, _ = (p.get_content() for p in executed.iter_attachments())
    out = tmp_path / "executed.pdf"
    out.write_bytes(pdf)
    _check_executed(run_cli, db_url, ws, out, tmp_path)


def _sign_remotely(steps: Steps, mailbox, role: str) -> str:
    """Follow the invitation, read the MoU, ask for a code, enter it; the code."""
    steps.open(_link(mailbox.wait_for(email(AUTHORITY, role), "Please sign")))
    steps.click(steps.driver.find_element(By.ID, "sign-remotely"))
    assert "You are signing as" in steps.text() and "Memorandum of understanding" in steps.text()
    steps.driver.find_element(By.ID, "read").click()
    steps.click(steps.driver.find_element(By.ID, "request-code"))
    message = mailbox.wait_for(email(AUTHORITY, role), "Your signing code")
    code = re.search(r"^\s+(\d{6})\s*$", message.get_content(), re.M).group(1)
    steps.driver.find_element(By.ID, "code").send_keys(code)
    steps.click(steps.driver.find_element(By.ID, "sign"))
    assert "You have signed as" in steps.text(), steps.text()
    return code


def _check_executed(run_cli, db_url: str, ws: Workspace, pdf: Path, tmp_path: Path) -> None:
    """mougen verify, pyHanko's validator and pdfsig accept it, its signers bound."""
    result = run_cli("--db", db_url, "verify", str(pdf), "--json")
    assert result.exit_code == 0, result.output
    root = ws.root / "ca" / "south-east" / "ca.pem"
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(root))])
    with pdf.open("rb") as handle:
        signatures = PdfFileReader(handle, strict=False).embedded_signatures
        assert [s.field_name for s in signatures] == list(ROLE_IDS)
        for sig in signatures:
            status = validate_pdf_signature(sig, context)
            assert status.bottom_line, status.pretty_print_details()
    report = pdfsig(pdf, [root], tmp_path)
    assert report.count("Signature Validation: Signature is Valid.") == 3, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == 3, report
