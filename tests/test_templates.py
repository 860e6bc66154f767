"""The five MoU Word templates: wording against the seeds, anchors, footnote, structure.

Each template is rendered with docxtpl as mougen renders it (autoescape, strict
undefined), read back with pandoc and with python-docx, and its words compared with
its seed's words (``tests/seedtext.py``) exactly and in order.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import docx
import jinja2
import pytest
from docx.table import Table
from docxtpl import DocxTemplate
from lxml import etree

from tests.seedtext import (
    MOU_IDS,
    footnote_words,
    seed_words,
    split_pandoc_notes,
    strip_footnote_words,
    text_words,
)
from tests.tracked import document_xml

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SIG_BOOKMARKS = ("sig_dcs", "sig_lead_member", "sig_chief_executive")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
HAS_PANDOC = shutil.which("pandoc") is not None
needs_pandoc = pytest.mark.skipif(not HAS_PANDOC, reason="pandoc is not installed")
SOFFICE = shutil.which("soffice")
HAS_PDF_TOOLS = SOFFICE is not None and shutil.which("pdftotext") is not None

# pandoc's docx reader moves Title and Subtitle paragraphs into the metadata; this
# template prints them back ahead of the body so they take part in the comparison.
PANDOC_TEMPLATE = "$if(title)$$title$\n\n$endif$$if(subtitle)$$subtitle$\n\n$endif$$body$\n"

MILTON_KEYNES = {
    "name": "Milton Keynes",
    "council": "Milton Keynes Council",
    "slug": "milton-keynes",
    "dcs": "Michael Bracey",
    "lead_member": "Cllr Zoe Nolan",
    "chief_executive": "Carole Mills",
}
DERBY = {
    "name": "Derby City",
    "council": "Derby City Council",
    "slug": "derby-city",
    "dcs": "Andy Smith",
    "lead_member": "Cllr Roy Webb",
    "chief_executive": "Paul Simpson",
}
WINDSOR = {
    "name": "Windsor & Maidenhead <Test>",
    "council": "Royal Borough of Windsor & Maidenhead <Test>",
    "slug": "windsor-maidenhead",
    "dcs": "Kevin McDaniel & <Co>",
    "lead_member": None,
    "chief_executive": "Duncan Sharkey",
}
UNKNOWN_SIGNATORIES = {**DERBY, "dcs": None, "lead_member": None, "chief_executive": None}


# ------------------------------------------------------------------------- helpers


def context(mou_id: str, who: Mapping[str, str | None]) -> dict[str, Any]:
    """The Jinja context mougen passes to a template, for one authority."""

    def person(role: str) -> dict[str, str | None]:
        name = who[role]
        email = f"{role}@{who['slug']}.gov.uk" if name else None
        return {"name": name, "email": email}

    return {
        "authority": {"name": who["name"], "council": who["council"], "slug": who["slug"]},
        "signatories": {role: person(role) for role in ("dcs", "lead_member", "chief_executive")},
        "mou": {"id": mou_id, "title": f"MoU {mou_id}"},
    }


def fills(who: Mapping[str, str | None]) -> dict[str, str | None]:
    """The seed fills matching what a template renders for this authority."""
    return {
        "authority.name": who["name"],
        "authority.council": who["council"],
        "dcs.name": who["dcs"],
        "lead_member.name": who["lead_member"],
        "chief_executive.name": who["chief_executive"],
    }


def render(mou_id: str, who: Mapping[str, str | None], out_dir: Path) -> Path:
    """Render a template as mougen does and save it under ``out_dir``."""
    tpl = DocxTemplate(TEMPLATES / f"{mou_id}.docx")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    tpl.render(context(mou_id, who), jinja_env=env, autoescape=True)
    out = out_dir / f"{mou_id}-{who['slug']}.docx"
    tpl.save(out)
    return out


def docx_body_text(path: Path) -> str:
    """The body text by python-docx, paragraphs and table cells in reading order."""
    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
        else:
            lines.append(block.text)
    return "\n".join(lines)


def docx_footnote_text(path: Path) -> str:
    """The text of the real footnotes (ids > 0) in the footnotes part, if any."""
    document = docx.Document(str(path))
    for rel in document.part.rels.values():
        if rel.target_part.content_type == FOOTNOTES_CT:
            root = etree.fromstring(rel.target_part.blob)
            notes = [n for n in root.iter(f"{W}footnote") if int(n.get(f"{W}id")) > 0]
            return "\n".join(
                "".join(t.text or "" for t in p.iter(f"{W}t"))
                for note in notes
                for p in note.iter(f"{W}p")
            )
    return ""


def pandoc_plain(path: Path, tmp_path: Path) -> str:
    template = tmp_path / "plain.template"
    template.write_text(PANDOC_TEMPLATE, encoding="utf-8")
    cmd = ["pandoc", "-f", "docx", "-t", "plain", "--wrap=none", "-s", f"--template={template}"]
    done = subprocess.run(
        [*cmd, str(path)], capture_output=True, text=True, encoding="utf-8", check=False
    )
    assert done.returncode == 0, f"pandoc failed on {path.name}: {done.stderr}"
    return done.stdout


def assert_same_words(actual: list[str], expected: list[str], what: str) -> None:
    """Assert two word sequences are equal, describing the first difference."""
    if actual == expected:
        return
    matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = " ".join(expected[max(0, i1 - 8) : i1])
        raise AssertionError(
            f"{what}: first difference at seed word {i1} ({tag}), after ...{before!r}:\n"
            f"  seed has     {' '.join(expected[i1 : i2 + 3])!r}\n"
            f"  rendered has {' '.join(actual[j1 : j2 + 3])!r}\n"
            f"  ({len(expected)} seed words, {len(actual)} rendered words)"
        )
    raise AssertionError(f"{what}: word sequences differ")  # pragma: no cover


def part_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return z.namelist()


def para_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


def style_of(p: etree._Element) -> str | None:
    ps = p.find(f"{W}pPr/{W}pStyle")
    return None if ps is None else ps.get(f"{W}val")


# ------------------------------------------------------------------ the wording


@pytest.mark.parametrize("mou_id", MOU_IDS)
@pytest.mark.parametrize("who", [MILTON_KEYNES, DERBY], ids=["milton-keynes", "derby-city"])
def test_docx_words_match_seed(mou_id: str, who: dict, tmp_path: Path) -> None:
    out = render(mou_id, who, tmp_path)
    expected = seed_words(mou_id, fills(who))
    assert_same_words(text_words(docx_body_text(out)), expected, f"{mou_id} via python-docx")
    assert text_words(docx_footnote_text(out)) == footnote_words(mou_id)


@needs_pandoc
@pytest.mark.parametrize("mou_id", MOU_IDS)
@pytest.mark.parametrize("who", [MILTON_KEYNES, DERBY], ids=["milton-keynes", "derby-city"])
def test_pandoc_words_match_seed(mou_id: str, who: dict, tmp_path: Path) -> None:
    out = render(mou_id, who, tmp_path)
    body, notes = split_pandoc_notes(pandoc_plain(out, tmp_path))
    expected = seed_words(mou_id, fills(who))
    assert_same_words(text_words(body), expected, f"{mou_id} via pandoc")
    assert_same_words(text_words(notes), footnote_words(mou_id), f"{mou_id} footnotes via pandoc")


@pytest.mark.slow
@pytest.mark.skipif(not HAS_PDF_TOOLS, reason="LibreOffice or pdftotext is not installed")
def test_libreoffice_pdf_words_match_seed(tmp_path: Path) -> None:
    """LibreOffice opens each rendered template and its PDF carries the seed's words.

    Which words there are is mougen's doing; the order poppler reads them in is not (it
    depends on how LibreOffice wraps the cells of a table), so the words are compared as
    a multiset. Their order is checked on the DOCX itself (python-docx and pandoc above).
    """
    paths = [render(mou_id, WINDSOR, tmp_path) for mou_id in MOU_IDS]
    profile = (tmp_path / "lo-profile").as_uri()
    convert = ["--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", *convert, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for mou_id, path in zip(MOU_IDS, paths, strict=True):
        pdf = path.with_suffix(".pdf")
        assert pdf.exists(), f"LibreOffice did not convert {path.name}: {done.stdout}"
        raw = subprocess.run(
            ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        marks = ("1",) if footnote_words(mou_id) else ()
        words = text_words(raw, footnote_marks=marks, rejoin_hyphens=True)
        if marks:
            assert len(strip_footnote_words(words, mou_id)) < len(words), "footnote not printed"
        expected = Counter(seed_words(mou_id, fills(WINDSOR)))
        found = Counter(strip_footnote_words(words, mou_id))
        assert found == expected, (
            f"{mou_id} via LibreOffice: missing {sorted((expected - found).elements())[:20]}, "
            f"extra {sorted((found - expected).elements())[:20]}"
        )


def test_milton_keynes_reproduces_se_2018_seed_exactly(tmp_path: Path) -> None:
    out = render("se-2018", MILTON_KEYNES, tmp_path)
    assert seed_words("se-2018", fills(MILTON_KEYNES)) == seed_words("se-2018")
    assert_same_words(text_words(docx_body_text(out)), seed_words("se-2018"), "se-2018")


@pytest.mark.parametrize("mou_id", MOU_IDS)
def test_unknown_signatories_render_as_dotted_blanks(mou_id: str, tmp_path: Path) -> None:
    out = render(mou_id, UNKNOWN_SIGNATORIES, tmp_path)
    expected = seed_words(mou_id, fills(UNKNOWN_SIGNATORIES))
    assert_same_words(text_words(docx_body_text(out)), expected, mou_id)
    if mou_id == "se-2018":
        assert "Michael" not in expected
        assert "………………………… Director of Children’s Services" in docx_body_text(out)


@pytest.mark.parametrize("mou_id", MOU_IDS)
def test_ampersand_and_angle_bracket_survive(mou_id: str, tmp_path: Path) -> None:
    out = render(mou_id, WINDSOR, tmp_path)
    text = docx_body_text(out)
    if mou_id == "se-2018":
        assert "Signed for Royal Borough of Windsor & Maidenhead <Test>" in text
        assert "Kevin McDaniel & <Co> Director of Children’s Services" in text
    elif mou_id == "se-2019-20":
        assert "Signed for Royal Borough of Windsor & Maidenhead <Test> by" in text
    else:
        assert "Name of Local Authority Windsor & Maidenhead <Test>" in text
    assert "&amp;" not in text and "&lt;" not in text
    assert_same_words(text_words(text), seed_words(mou_id, fills(WINDSOR)), mou_id)


@needs_pandoc
def test_ampersand_survives_pandoc(tmp_path: Path) -> None:
    out = render("em-2015", WINDSOR, tmp_path)
    assert "Name of Local Authority Windsor & Maidenhead <Test>" in pandoc_plain(out, tmp_path)


def test_a_missing_word_is_caught(tmp_path: Path) -> None:
    out = render("se-2019-20", DERBY, tmp_path)
    words = text_words(docx_body_text(out))
    expected = seed_words("se-2019-20", fills(DERBY))
    assert words == expected
    for victim in ("Reqionally:", "GDPR", "Member"):
        damaged = list(words)
        damaged.remove(victim)
        with pytest.raises(AssertionError, match="first difference"):
            assert_same_words(damaged, expected, "damaged")
    swapped = [*words[:10], words[11], words[10], *words[12:]]
    with pytest.raises(AssertionError):
        assert_same_words(swapped, expected, "swapped")


@pytest.mark.parametrize(
    ("mou_id", "quirk"),
    [
        ("em-2015", "4..1. The Director of Children’s Services commit to"),
        ("em-2015", "all signed this Memorandum of Understanding."),
        ("nw-2017-19", "the ISOS grid annexe to the self –view, assessing"),
        ("nw-2017-19", "Consider sharing the agreed self -view with Ofsted"),
        ("nw-2017-19", "to monitor progress. ."),
        ("nw-2017-19", "defined in this MOU."),
        ("nw-2017-19", "commences in September 2017 It will"),
        ("london-2019", "improvement plan 12 – 16 weeks later"),
        ("london-2019", "Contribute £5,000 pa"),
        ("se-2018", "children's sector-led improvement"),
        ("se-2019-20", "5.3. Reqionally: Lead Members"),
    ],
)
def test_seed_quirks_kept_verbatim(mou_id: str, quirk: str) -> None:
    paragraphs = [
        para_text(p)
        for p in document_xml((TEMPLATES / f"{mou_id}.docx").read_bytes()).iter(f"{W}p")
    ]
    assert any(quirk in p for p in paragraphs), quirk


# -------------------------------------------------------------- anchors, footnote


@pytest.mark.parametrize("mou_id", MOU_IDS)
@pytest.mark.parametrize("rendered", [False, True], ids=["template", "rendered"])
def test_signature_bookmarks(mou_id: str, rendered: bool, tmp_path: Path) -> None:
    path = render(mou_id, DERBY, tmp_path) if rendered else TEMPLATES / f"{mou_id}.docx"
    root = document_xml(path.read_bytes())
    starts = root.findall(f".//{W}bookmarkStart")
    names = [b.get(f"{W}name") for b in starts]
    ids = [b.get(f"{W}id") for b in starts]
    assert sorted(names) == sorted(SIG_BOOKMARKS), names
    assert len(set(ids)) == len(ids)
    for start in starts:
        p = start.getparent()
        assert p.tag == f"{W}p", "a signature bookmark must sit inside its paragraph"
        ends = [e for e in p.iter(f"{W}bookmarkEnd") if e.get(f"{W}id") == start.get(f"{W}id")]
        assert len(ends) == 1, f"{start.get(f'{W}name')} does not end in its own paragraph"
        assert style_of(p) == "SignatureLine"
        text = para_text(p)
        name = start.get(f"{W}name")
        if mou_id == "se-2019-20":
            assert p.getparent().tag == f"{W}tc"
            assert re.fullmatch(r"[….]+", text)
        elif mou_id == "se-2018":
            role = {
                "sig_dcs": "Director of Children’s Services",
                "sig_lead_member": "Lead Member",
                "sig_chief_executive": "Chief Executive",
            }[name]
            assert text.endswith(" " + role)
        else:
            assert re.fullmatch(r"Signed:? _+", text)
    if mou_id == "se-2019-20":
        table = root.find(f".//{W}tbl")
        rows = table.findall(f"{W}tr")
        assert [para_text(tc) for tc in rows[0].findall(f"{W}tc")] == [
            "Director of Children’s Services",
            "Lead Member",
            "Chief Executive",
        ]
        marks = [
            [b.get(f"{W}name") for b in tc.iter(f"{W}bookmarkStart")]
            for tc in rows[1].findall(f"{W}tc")
        ]
        assert marks == [["sig_dcs"], ["sig_lead_member"], ["sig_chief_executive"]]
        # each column has a line for the signatory's name and the date
        assert [[para_text(tc) for tc in row.findall(f"{W}tc")] for row in rows[2:]] == [
            ["Name: ……………………………"] * 3,
            ["Date: ……………………………"] * 3,
        ]
        borders = table.find(f"{W}tblPr/{W}tblBorders")
        assert borders is not None and {b.get(f"{W}val") for b in borders} == {"nil"}
    else:
        # each role signs in turn, in the cover sheet's signing order
        order = [b.get(f"{W}name") for b in starts]
        assert order == ["sig_dcs", "sig_lead_member", "sig_chief_executive"]


def test_footnote_is_a_real_word_footnote(tmp_path: Path) -> None:
    path = TEMPLATES / "se-2019-20.docx"
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
        notes = etree.fromstring(z.read("word/footnotes.xml"))
        settings = z.read("word/settings.xml").decode()
    assert 'PartName="/word/footnotes.xml"' in types and FOOTNOTES_CT in types
    assert 'relationships/footnotes" Target="footnotes.xml"' in rels
    assert '<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>' in settings
    by_id = {n.get(f"{W}id"): n for n in notes.findall(f"{W}footnote")}
    assert by_id["-1"].get(f"{W}type") == "separator"
    assert by_id["0"].get(f"{W}type") == "continuationSeparator"
    note = by_id["1"]
    assert note.find(f".//{W}footnoteRef") is not None
    assert style_of(note.find(f"{W}p")) == "FootnoteText"
    assert text_words(para_text(note)) == footnote_words("se-2019-20")

    refs = document_xml(path.read_bytes()).findall(f".//{W}footnoteReference")
    assert [r.get(f"{W}id") for r in refs] == ["1"]
    run = refs[0].getparent()
    assert run.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == "FootnoteReference"
    clause = run.getparent()
    assert para_text(clause).startswith("3.2. We acknowledge")
    assert "particular local authority area. Such a conclusion" in para_text(clause)

    styles = {s.name for s in docx.Document(str(path)).styles}
    assert {"Footnote Text", "Footnote Reference"} <= styles

    out = render("se-2019-20", DERBY, tmp_path)
    assert text_words(docx_footnote_text(out)) == footnote_words("se-2019-20")
    for mou_id in MOU_IDS:
        if mou_id != "se-2019-20":
            assert footnote_words(mou_id) == []
            assert "word/footnotes.xml" not in part_names(TEMPLATES / f"{mou_id}.docx")


# ------------------------------------------------------------------- structure


@pytest.mark.parametrize("mou_id", MOU_IDS)
def test_no_tracked_changes_or_unsupported_content(mou_id: str) -> None:
    path = TEMPLATES / f"{mou_id}.docx"
    root = document_xml(path.read_bytes())
    for tag in ("ins", "del", "moveFrom", "moveTo"):
        assert root.find(f".//{W}{tag}") is None, f"tracked change w:{tag} in {mou_id}"
    for tag in ("sdt", "drawing", "pict", "object", "txbxContent", "fldSimple", "instrText"):
        assert root.find(f".//{W}{tag}") is None, f"w:{tag} in {mou_id}"
    assert root.find(f".//{W}headerReference") is None
    assert root.find(f".//{W}footerReference") is None
    names = part_names(path)
    assert not [n for n in names if re.search(r"header|footer|media/|comments", n)], names
    assert not any(n.startswith("customXml") for n in names)
    assert all(b.get(f"{W}name") != "_GoBack" for b in root.iter(f"{W}bookmarkStart"))


@pytest.mark.parametrize("mou_id", MOU_IDS)
def test_tags_are_whole_runs(mou_id: str) -> None:
    root = document_xml((TEMPLATES / f"{mou_id}.docx").read_bytes())
    texts = [t.text or "" for t in root.iter(f"{W}t")]
    tags = [t for t in texts if "{" in t or "}" in t]
    assert tags, "every template fills at least the authority"
    for t in tags:
        assert re.fullmatch(r"\{\{ [^{}]+ \}\}", t), f"tag not alone in its run: {t!r}"


ALLOWED_STYLES = {
    "Title",
    "Subtitle",
    "Heading1",
    "Heading2",
    "Clause",
    "Clause2",
    "ListBullet",
    "ListBullet2",
    "SignatureLine",
    None,  # Normal
}


@pytest.mark.parametrize("mou_id", MOU_IDS)
def test_styles_page_and_properties(mou_id: str) -> None:
    path = TEMPLATES / f"{mou_id}.docx"
    root = document_xml(path.read_bytes())
    body = root.find(f"{W}body")
    used = {style_of(p) for p in body.iter(f"{W}p")}
    assert used <= ALLOWED_STYLES, used - ALLOWED_STYLES
    assert {"Heading1", "Clause", "ListBullet", "SignatureLine"} <= used
    if mou_id != "london-2019":  # the London seed has no title lines
        assert {"Title", "Subtitle"} <= used
    for p in body.iter(f"{W}p"):
        text = para_text(p)
        assert not re.match(r"\s*[·•▪]", text), f"literal bullet in {text[:40]!r}"
        ppr = p.find(f"{W}pPr")
        if ppr is not None:
            assert ppr.find(f"{W}spacing") is None and ppr.find(f"{W}ind") is None
            assert ppr.find(f"{W}numPr") is None, "bullets come from the list styles"

    document = docx.Document(str(path))
    styles = document.styles
    for name in ("List Bullet", "List Bullet 2"):
        assert styles[name].element.find(f"{W}pPr/{W}numPr/{W}numId") is not None
    for name in ("Clause", "Clause 2", "Signature Line"):
        assert styles[name].base_style.name == "Normal"
    assert styles["Clause"].paragraph_format.first_line_indent < 0  # hanging
    font = styles["Normal"].font
    assert (font.name, font.size.pt) == ("Arial", 11)

    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    for margin in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        assert round(getattr(section, margin).cm, 2) == 2.5

    props = document.core_properties
    assert props.title and props.author == "" and props.last_modified_by == ""


@pytest.mark.parametrize("mou_id", MOU_IDS)
def test_bullets_have_numbering(mou_id: str) -> None:
    with zipfile.ZipFile(TEMPLATES / f"{mou_id}.docx") as z:
        numbering = etree.fromstring(z.read("word/numbering.xml"))
        styles = etree.fromstring(z.read("word/styles.xml"))
    abstract = {a.get(f"{W}abstractNumId"): a for a in numbering.findall(f"{W}abstractNum")}
    nums = {
        n.get(f"{W}numId"): n.find(f"{W}abstractNumId").get(f"{W}val")
        for n in numbering.findall(f"{W}num")
    }
    for sid, ilvl in (("ListBullet", "0"), ("ListBullet2", "1")):
        style = styles.find(f"{W}style[@{W}styleId='{sid}']")
        num_pr = style.find(f"{W}pPr/{W}numPr")
        assert num_pr.find(f"{W}ilvl").get(f"{W}val") == ilvl
        num_id = num_pr.find(f"{W}numId").get(f"{W}val")
        lvl = abstract[nums[num_id]].find(f"{W}lvl[@{W}ilvl='{ilvl}']")
        assert lvl.find(f"{W}numFmt").get(f"{W}val") == "bullet"
        assert lvl.find(f"{W}pStyle").get(f"{W}val") == sid


# ----------------------------------------------------------------- seedtext itself


def test_seedtext_normalisation() -> None:
    assert text_words("Signed ________\nDate: ….. ") == ["Signed", "Date:"]
    assert text_words("-   bullet one\n  • bullet two\n· three • four") == [
        "bullet",
        "one",
        "bullet",
        "two",
        "three",
        "four",
    ]
    assert text_words("progress. . and 12 – 16 and 4..1. and Dec- Feb.") == [
        "progress.",
        "and",
        "12",
        "–",
        "16",
        "and",
        "4..1.",
        "and",
        "Dec-",
        "Feb.",
    ]
    assert text_words("area[1]. Such") == ["area.", "Such"]
    assert text_words("area1. Such 2019", footnote_marks=("1",)) == ["area.", "Such", "2019"]
    assert text_words("  -------- ----\n  a  b\n  ======") == ["a", "b"]
    assert text_words("area1\n. Such", footnote_marks=("1",)) == ["area.", "Such"]
    wrapped = "capacity for self-\nimprovement and Dec- Feb."
    assert text_words(wrapped, rejoin_hyphens=True) == [
        "capacity",
        "for",
        "self-improvement",
        "and",
        "Dec-",
        "Feb.",
    ]
    assert text_words(wrapped)[2:4] == ["self-", "improvement"]
    note = footnote_words("se-2019-20")
    assert strip_footnote_words(["a", "1", *note, "b"], "se-2019-20") == ["a", "b"]
    assert strip_footnote_words(["a", "b"], "em-2015") == ["a", "b"]


def test_seed_words_blanks_and_artefacts() -> None:
    em = seed_words("em-2015", {"authority.name": "Derby City"})
    i = len(em) - 1 - em[::-1].index("Authority")
    assert em[i - 3 : i + 4] == ["Name", "of", "Local", "Authority", "Derby", "City", "Director"]
    se = seed_words("se-2019-20")
    assert "[bookmark:" not in " ".join(se) and "_GoBack]Subject" not in se
    assert "[footnoteRef:1]." not in se and "area." in se and "numbers.]" not in se
    assert footnote_words("se-2019-20")[:3] == ["This", "is", "meant"]
    mk = seed_words("se-2018", {"authority.council": "X Council", "lead_member.name": None})
    assert mk[-16:] == [
        "Signed",
        "for",
        "X",
        "Council",
        "Michael",
        "Bracey",
        "Director",
        "of",
        "Children’s",
        "Services",
        "Lead",
        "Member",
        "Carole",
        "Mills",
        "Chief",
        "Executive",
    ]
    with pytest.raises(KeyError):
        seed_words("em-2015", {"authority.nmae": "typo"})
    with pytest.raises(KeyError):
        seed_words("yorkshire-2020")
