"""The manifest of a pack: every file with its SHA-256, and what it was made from."""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import datetime
from pathlib import Path

from mougen import __version__
from mougen.config import Authority
from mougen.config.catalog import MouEntry


def issued_by() -> str:
    """Who is issuing: the account running mougen (the manifest records it for rebuilds)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid, as in some containers
        return "unknown"


def sha256(data: bytes) -> str:
    """The hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def build_manifest(
    entry: MouEntry,
    authority: Authority,
    files: dict[str, bytes],
    issued_pdf: str,
    template: Path,
    when: datetime,
) -> dict:
    """The manifest for a pack holding ``files`` (name -> bytes)."""
    return {
        "mou": entry.mou.id,
        "mou_title": entry.mou.title,
        "region": entry.region.id,
        "authority": authority.slug,
        "authority_name": authority.name,
        "issued_pdf": issued_pdf,
        "issued_pdf_sha256": sha256(files[issued_pdf]),
        "template": template.name,
        "template_sha256": sha256(template.read_bytes()),
        "issued_by": issued_by(),
        "tool": "mougen",
        "tool_version": __version__,
        "generated_at": when.isoformat(),
        "files": [
            {"name": name, "sha256": sha256(data), "bytes": len(data)}
            for name, data in sorted(files.items())
        ],
    }


def manifest_bytes(manifest: dict) -> bytes:
    """The manifest as written to disk: stable key order, UTF-8, newline-terminated."""
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
