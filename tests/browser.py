"""Debian's Chromium driven by Selenium (headless, a fresh profile, no network of its own),
with axe-core injected to check each page against WCAG 2.2 A and AA."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

AXE = Path(__file__).resolve().parent / "fixtures" / "axe" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def chromium_available() -> str | None:
    """Why there is no browser to test with, or None."""
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} is not installed (scripts/setup.sh installs it)"
    return None


class Browser:
    """A headless Chromium with its own throwaway profile."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="mougen-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium")
        for flag in (
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage", f"--user-data-dir={self.profile}",
        ):  # fmt: skip
            options.add_argument(flag)
        self.driver = webdriver.Chrome(
            service=Service(shutil.which("chromedriver")), options=options
        )
        self.driver.set_page_load_timeout(120)
        self._axe = AXE.read_text(encoding="utf-8")

    def violations(self) -> list[str]:
        """axe-core's WCAG 2.2 A/AA violations on the current page, one line each."""
        self.driver.execute_script(self._axe)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
            ".then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' ' +"
            " v.nodes.map(n => n.target.join(' ')).join(', '))));",
            WCAG_TAGS,
        )
        return list(result)

    def forget(self) -> None:
        """Drop every cookie and leave the current page, as a fresh profile would start."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.driver.get("about:blank")

    def quit(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
