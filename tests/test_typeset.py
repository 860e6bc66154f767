"""Typst compilers kept per template and process give the bytes a fresh compile gives."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
import typst

from mougen import typeset
from mougen.pack.cover import cover_data
from mougen.render import render_authority
from mougen.render.model_data import document_data

WHEN = datetime(2026, 11, 22, tzinfo=UTC)
FILED = 'json(sys.inputs.at("data-file"))'
SLUGS = ("kent", "milton-keynes", "brighton-and-hove", "kent")


def _inline(tmp_path, template, data, standards):
    """The PDF of the earlier path: a new compiler per document, the data in sys.inputs."""
    root = tmp_path / "inline"
    if not root.exists():
        shutil.copytree(typeset.TEMPLATES, root)
        for path in root.glob("*.typ"):
            text = path.read_text(encoding="utf-8")
            inline = text.replace(FILED, "json(bytes(sys.inputs.data))")
            path.write_text(inline, encoding="utf-8")
    compiler = typst.Compiler(
        str(root / template),
        root=str(root),
        font_paths=[str(typeset.FONTS)],
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False, sort_keys=True)},
    )
    return compiler.compile(format="pdf", pdf_standards=list(standards), timestamp=WHEN)


def test_reused_compilers_give_the_bytes_of_a_fresh_compile(workspace, tmp_path):
    entry = workspace.catalog.mou("se-2018")
    for slug in SLUGS:  # kent again last: from a warm cache, after other authorities
        document = render_authority(workspace, "se-2018", slug, when=WHEN).document
        mou = document_data(document, title=entry.mou.title, footer="")
        cover = cover_data(entry, entry.party(slug), "x.pdf", "0" * 64, WHEN)
        for template, data, standards in (
            ("mou.typ", mou, typeset.ARCHIVAL),
            ("cover.typ", cover, typeset.ACCESSIBLE),
        ):
            made = typeset.typeset(template, data, when=WHEN, standards=standards).pdf
            assert made == _inline(tmp_path, template, data, standards), (slug, template)


def test_a_layout_error_names_the_template_and_the_next_compile_works(workspace):
    entry = workspace.catalog.mou("se-2018")
    good = cover_data(entry, entry.party("kent"), "x.pdf", "0" * 64, WHEN)
    with pytest.raises(typeset.LayoutError, match=r"cover\.typ"):
        typeset.typeset("cover.typ", {**good, "signatories": 7}, when=WHEN)
    assert typeset.typeset("cover.typ", good, when=WHEN).pdf.startswith(b"%PDF")
