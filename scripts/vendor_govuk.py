"""Vendor govuk-frontend's compiled CSS into the package, without the GOV.UK-only parts.

Usage: ``npm pack govuk-frontend@5.9.0`` then
``python scripts/vendor_govuk.py govuk-frontend-5.9.0.tgz``.

The GDS Transport font and the crown/crest are reserved for GOV.UK services, so the
``@font-face`` rules (text falls back to Arial, as the CSS already says) and the crest
background are left out, and no font or image files are copied. No JavaScript is
vendored: every page works without it.
"""

from __future__ import annotations

import re
import sys
import tarfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "mougen" / "web" / "static" / "govuk"
CSS = "package/dist/govuk/govuk-frontend.min.css"
_FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
_CREST = re.compile(r"background-image:url\(/assets/images/govuk-crest\.svg\);?")


def main(tgz: str) -> None:
    with tarfile.open(tgz) as archive:
        css = archive.extractfile(CSS).read().decode()
        package = archive.extractfile("package/package.json").read().decode()
    version = re.search(r'"version":\s*"([^"]+)"', package).group(1)
    css = _CREST.sub("", _FONT_FACE.sub("", css))
    assert "url(/assets" not in css, "an asset reference is left"
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "govuk-frontend.min.css").write_text(css, encoding="utf-8")
    (TARGET / "VERSION").write_text(f"govuk-frontend {version} (MIT licence)\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
