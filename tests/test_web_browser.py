"""The signing round in a real browser against the service as production runs it.

Chromium (Selenium) drives gunicorn with two workers on 127.0.0.1, on SQLite and on
PostgreSQL; emails are caught by a real SMTP server, and every step follows the link in the
email it received. axe-core checks each page for WCAG 2.2 A/AA violations.
"""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import update

from mougen.round.tables import LinkRow
from mougen.tracker import Tracker
from mougen.verify import verify_bytes
from mougen.verify.trust import load_trust_roots
from mougen.verify.validate import Settings
from mougen.verify.workspace_trust import workspace_trust_roots
from mougen.workspace import Workspace
from tests.browser import Browser, chromium_available
from tests.conftest import backend_url
from tests.webround import (
    AUTHORITY,
    COORDINATOR,
    MOU,
    OTHER,
    add_signatory_emails,
    email,
)
from tests.webserver import Gunicorn, free_port, start_smtp, write_settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_available() is not None, reason=str(chromium_available())),
]

PASSWORD = "a coordinator passphrase for tests"
UPLOAD_LIMIT_MB = 1


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, workspace) -> str:
    return backend_url(request, workspace.db_url)


@pytest.fixture(scope="module")
def chromium():
    b = Browser()
    yield b
    b.quit()


@pytest.fixture
def browser(chromium):
    """The module's browser, with nothing kept from the test before (cookies, page)."""
    chromium.forget()
    return chromium


@pytest.fixture
def service(workspace, db_url, tmp_path, run_cli, web_programme):
    """Signatory emails and certificates, a coordinator account, SMTP, and gunicorn."""
    add_signatory_emails(workspace)
    ws = Workspace(workspace.root, db_url)
    signers = web_programme.install(ws)
    controller, mailbox = start_smtp()
    port = free_port()
    write_settings(ws, port, controller.port, COORDINATOR, upload_limit_mb=UPLOAD_LIMIT_MB)
    secret = tmp_path / "password"
    secret.write_text(PASSWORD)
    result = run_cli(
        "--db", db_url, "users", "add", "coordinator", "--admin", "--password-file", str(secret)
    )
    assert result.exit_code == 0, result.output
    server = Gunicorn(ws, db_url, port)
    yield ws, server, mailbox, signers
    log = server.stop()
    controller.stop()
    assert "Traceback" not in log, log


#: The value of the CSRF field, new on every page load.
_CSRF_VALUE = re.compile(r'(<input type="hidden" name="csrf_token" value=")[^"]*"')


def _page_state(html: str) -> str:
    """The page as axe sees it: its HTML, but for the CSRF token (a hidden field's value)."""
    return _CSRF_VALUE.sub(r'\1"', html)


def _link(message) -> str:
    return re.search(r"(http://127\.0\.0\.1:\d+/sign/\S+)", message.get_content()).group(1)


def _fetch(url: str, cookie: str | None = None) -> bytes:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def _lost_node(exc: WebDriverException) -> bool:
    """Whether ChromeDriver lost an element because its page is being replaced."""
    return "does not belong to the document" in str(exc)


def _replaced(element) -> bool:
    """Whether ``element``'s page has gone: Selenium's staleness, or ChromeDriver losing the
    node mid-replacement (it reports that as another error, seen after a large upload)."""
    try:
        return staleness_of(element)(None)
    except WebDriverException as exc:
        if not _lost_node(exc):
            raise
        return True


class Steps:
    """The browser, checking the pages it lands on with axe: each page that differs from those
    checked already, or with ``once_per_title`` each title the first time it appears."""

    def __init__(self, browser: Browser, base: str, tmp: Path, *, once_per_title: bool = False):
        self.browser, self.driver, self.base, self.tmp = browser, browser.driver, base, tmp
        self.once_per_title = once_per_title
        self.pages: set[str] = set()
        self.checked: set[str] = set()

    def open(self, url: str) -> None:
        self.driver.get(url)
        # ChromeDriver can return from get() while the tab still shows the about:blank the
        # browser was left on between tests (seen on a clean machine): wait for the page.
        WebDriverWait(self.driver, 120).until(lambda d: d.current_url != "about:blank")
        self.wait_for_load()
        self.check_page()

    def wait_for_load(self) -> None:
        WebDriverWait(self.driver, 120).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def check_page(self) -> None:
        title = self.driver.title
        seen = title if self.once_per_title else _page_state(self.driver.page_source)
        if seen not in self.checked:
            assert self.browser.violations() == [], title
            self.checked.add(seen)
        self.pages.add(title.split(" – ")[0])

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "main").text

    def click(self, element) -> None:
        """Click, wait for the next page to replace this one, and check it."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        try:
            element.click()
        except WebDriverException as exc:
            # ChromeDriver can lose the clicked node when the page it submitted is already
            # replacing it (seen with a large upload on a busy machine); the wait below still
            # proves the next page arrived.
            if not _lost_node(exc):
                raise
        WebDriverWait(self.driver, 120).until(lambda _: _replaced(old))
        self.wait_for_load()
        self.check_page()

    def submit_file(self, path: Path, field: str = "file", button: str = "upload") -> None:
        self.driver.find_element(By.ID, field).send_keys(str(path))
        self.click(self.driver.find_element(By.ID, button))

    def sign_from_link(self, url: str, signers, slug: str, role: str) -> Path:
        """Open the signatory's page, take the PDF it offers, and sign it with their key."""
        self.open(url)
        href = self.driver.find_element(By.ID, "document-link").get_attribute("href")
        pdf = self.tmp / f"{slug}-{role}-to-sign.pdf"
        pdf.write_bytes(_fetch(href))
        return signers.sign(pdf, slug, role, self.tmp / f"{slug}-{role}-signed.pdf")


def test_a_round_in_the_browser(service, browser, tmp_path, db_url):
    ws, server, mailbox, signers = service
    # The pages are the same templates on either database: axe checks every page the SQLite
    # round lands on (a page identical to one checked, but for its CSRF token, once), and each
    # page of the PostgreSQL round once.
    steps = Steps(browser, server.url, tmp_path, once_per_title=not db_url.startswith("sqlite"))

    # The coordinator logs in and sends the invitations from the round page.
    steps.open(f"{server.url}/login")
    steps.driver.find_element(By.ID, "name").send_keys("coordinator")
    steps.driver.find_element(By.ID, "password").send_keys(PASSWORD)
    steps.click(steps.driver.find_element(By.CSS_SELECTOR, "main button"))
    assert "Signing rounds" in steps.text()
    steps.open(f"{server.url}/rounds/{MOU}")
    steps.click(steps.driver.find_element(By.ID, "send-invitations"))
    assert "Sent 2 invitation(s)" in steps.text()  # only the two with emails in config
    assert "Not invited" in steps.text()
    cookie = "mougen_session=" + steps.driver.get_cookie("mougen_session")["value"]

    dcs_link = _link(mailbox.wait_for(email(AUTHORITY, "dcs"), "Please sign"))
    kent_link = _link(mailbox.wait_for(email(OTHER, "dcs"), "Please sign"))

    # Rejected uploads change nothing and say why: a non-PDF, a wrong signer, too big a file.
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("these are my notes, not a PDF")
    steps.open(dcs_link)
    steps.submit_file(not_pdf)
    assert "not a PDF" in steps.text()
    wrong = steps.sign_from_link(dcs_link, signers, OTHER, "dcs")  # Kent's DCS signs MK's copy
    steps.submit_file(wrong)
    assert "Your file was not accepted" in steps.text() and email(OTHER, "dcs") in steps.text()
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (UPLOAD_LIMIT_MB * 1024 * 1024 + 70_000))
    steps.open(dcs_link)
    steps.submit_file(big)
    assert "File too large" in steps.driver.title

    # Another authority's link cannot take this authority's file.
    dcs_signed = steps.sign_from_link(dcs_link, signers, AUTHORITY, "dcs")
    steps.open(kent_link)
    steps.submit_file(dcs_signed)
    assert "not the document your link is for" in steps.text()

    # A form posted without its CSRF token is refused.
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
    request = urllib.request.Request(
        dcs_link,
        data=body + dcs_signed.read_bytes() + b"\r\n--x--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 400
    with Tracker.open(ws.db_url) as tracker:
        assert tracker.signatures(MOU) == [], "no rejected upload was recorded as a signature"

    # DCS, then the Lead Member and the Chief Executive, each from the email they received.
    steps.open(dcs_link)
    steps.submit_file(dcs_signed)
    assert "Signature accepted" in steps.text()
    for role in ("lead-member", "chief-executive"):
        link = _link(mailbox.wait_for(email(AUTHORITY, role), "Please sign"))
        signed = steps.sign_from_link(link, signers, AUTHORITY, role)
        steps.submit_file(signed)
        assert "Signature accepted" in steps.text(), steps.text()

    # A used link now answers exactly as an unknown one.
    steps.open(dcs_link)
    used = (steps.driver.title, steps.text())
    steps.open(f"{server.url}/sign/not-a-token")
    assert (steps.driver.title, steps.text()) == used and "Page not found" in used[0]

    # Everyone, and the coordinator, gets the executed PDF and its certificate.
    roots = load_trust_roots(workspace_trust_roots(ws))
    for to in [email(AUTHORITY, r) for r in ("dcs", "lead-member", "chief-executive")] + [
        COORDINATOR
    ]:
        message = mailbox.wait_for(to, "Fully executed")
        executed, certificate = (p.get_content() for p in message.iter_attachments())
        report = verify_bytes(executed, "executed.pdf", Settings(roots))
        assert report.fully_executed and [s.field for s in report.signatures] == [
            "dcs", "lead-member", "chief-executive"
        ]  # fmt: skip
        pages = PdfReader(io.BytesIO(certificate)).pages
        assert len(pages) == 1
        assert report.sha256 in re.sub(r"\s", "", pages[0].extract_text())

    # The round page shows it complete, with the certificate and the rejected uploads.
    steps.open(f"{server.url}/rounds/{MOU}")
    row = steps.driver.find_element(By.ID, f"row-{AUTHORITY}").text
    assert row.count("Signed") == 3
    assert "not a PDF" in steps.driver.find_element(By.ID, "rejected").text
    cert = _fetch(f"{server.url}/rounds/{MOU}/{AUTHORITY}/certificate.pdf", cookie)
    assert cert.startswith(b"%PDF-")
    csv_text = _fetch(f"{server.url}/rounds/{MOU}/status.csv", cookie).decode()
    assert AUTHORITY in csv_text
    steps.open(f"{server.url}/report")  # the live dashboard passes axe too

    # An auditor checks the executed file on the public page; nothing is kept.
    steps.open(f"{server.url}/verify")
    out = tmp_path / "executed.pdf"
    out.write_bytes(executed)
    steps.submit_file(out, button="check")
    assert (
        steps.driver.find_element(By.ID, "verdict").text == "This MoU is fully signed and unaltered"
    )
    assert "Signed on" in steps.text() and "TOTAL_PASSED" not in steps.text()

    # An expired link answers as an unknown one, for Kent's DCS whose link is still open.
    steps.open(kent_link)
    assert "Sign the" in steps.text()
    with Tracker.open(ws.db_url) as tracker, tracker.transaction() as session:
        session.execute(update(LinkRow).where(LinkRow.authority == OTHER).values(
            expires_at=LinkRow.created_at))  # fmt: skip
    steps.open(kent_link)
    assert (steps.driver.title, steps.text()) == used
    assert {"Sign in", "Signing rounds", "Verification result", "Check a signed MoU"} <= steps.pages


def test_axe_finds_what_it_should(browser, tmp_path):
    """The accessibility check is live: a page with an unlabelled field and image fails it."""
    page = tmp_path / "bad.html"
    page.write_text("<html><body><img src='x.png'><input type='text'></body></html>")
    browser.driver.get(page.as_uri())
    found = " ".join(browser.violations())
    assert "image-alt" in found and "label" in found and "html-has-lang" in found
