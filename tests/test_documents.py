"""Word and PDF inputs, read through the optional 'documents' extra (python-docx, pypdf)."""

import sys

import pytest
from typer.testing import CliRunner

from spundetect import segment
from spundetect.cli import app
from spundetect.inputs import read_inputs

docx = pytest.importorskip("docx")
pytest.importorskip("pypdf")

runner = CliRunner()
SPUN = "Stoltenberg mentioned at a press convention that troops had got here amid experiences of shelling."
CLEAN = "The weather was fine in the morning."


def _docx(path, paragraphs, cell=None):
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if cell:  # one cell merged across two columns: its text is read once
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).merge(table.cell(0, 1)).text = cell
    document.save(str(path))
    return path


def _pdf(path, lines):
    """A one-page PDF whose text layer holds ``lines`` (Helvetica, one per line)."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(out)
    return path


def test_word_file_is_checked_paragraphs_and_tables(tmp_path):
    f = _docx(tmp_path / "essay.docx", [CLEAN, SPUN], cell="The table cell holds a plain sentence.")
    r = runner.invoke(app, ["check", str(f)])
    assert r.exit_code == 1, r.output
    assert "press conference" in r.stdout
    (item,) = read_inputs([str(f)])
    assert item.text == f"{CLEAN}\n\n{SPUN}\n\nThe table cell holds a plain sentence."  # paragraphs, then the table
    r = runner.invoke(app, ["check", str(_docx(tmp_path / "clean.docx", [CLEAN]))])
    assert r.exit_code == 0, r.output


def test_word_headings_and_list_items_are_sentences_of_their_own(tmp_path):
    paragraphs = ["Introduction", "Results without a period", CLEAN]
    (item,) = read_inputs([str(_docx(tmp_path / "report.docx", paragraphs))])
    assert [item.text[s.start : s.end] for s in segment.sentences(item.text)] == paragraphs


def test_pdf_text_layer_is_checked(tmp_path):
    f = _pdf(tmp_path / "paper.pdf", [SPUN])
    r = runner.invoke(app, ["check", str(f)])
    assert r.exit_code == 1, r.output
    assert "press conference" in r.stdout


def test_directories_include_word_and_pdf_files(tmp_path):
    _docx(tmp_path / "a.docx", [SPUN])
    _pdf(tmp_path / "b.pdf", [CLEAN])
    r = runner.invoke(app, ["check", "--format", "concise", str(tmp_path)])
    assert r.exit_code == 1, r.output
    assert "a.docx" in r.stdout
    assert r.stderr.endswith("2 documents: 1 spun, 0 suspicious, 1 clean\n")


@pytest.mark.parametrize(
    "name, raw, says",
    [
        ("broken.docx", b"PK\x03\x04 not really a zip", "cannot read this Word file"),
        ("broken.pdf", b"%PDF-1.4\nnothing else", "cannot read this PDF file"),
        ("scan.pdf", None, "no text found in this PDF file (a scanned PDF has none: run OCR first)"),
    ],
)
def test_unreadable_documents_get_one_line(tmp_path, name, raw, says):
    f = tmp_path / name
    if raw is None:
        _pdf(f, [])
    else:
        f.write_bytes(raw)
    r = runner.invoke(app, ["check", str(f)])
    assert r.exit_code == 2
    assert r.stderr.startswith(f"spundetect: {f}: {says}") and r.stderr.count("\n") == 1


def test_without_the_extra_a_hint_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx now raises ImportError
    f = _docx(tmp_path / "essay.docx", [SPUN])
    monkeypatch.setitem(sys.modules, "docx", None)
    r = runner.invoke(app, ["check", str(f)])
    assert r.exit_code == 2
    assert r.stderr == (
        f"spundetect: {f}: reading Word files needs the optional 'documents' extra: pip install 'spundetect[documents]'\n"
    )
