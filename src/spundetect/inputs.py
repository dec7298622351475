"""Reading inputs: paths, directories and stdin -> decoded text, or a one-line error.

Decoding (documented in the README):

- NUL bytes (without a UTF-16 or UTF-32 byte-order mark) or the magic number of a common
  binary or document format (PDF, zip and Office files, images, executables ...; for the
  short magic numbers only when the first bytes are not printable text): not a text file
  (an error);
- UTF-8 (a byte-order mark is kept as U+FEFF, so offsets count it); UTF-32 and UTF-16 with
  a byte-order mark;
- an HTML page that is not UTF-8: the charset its ``<meta>`` declares, if the bytes decode;
- otherwise Windows-1252 if every byte decodes, else UTF-8 with undecodable bytes replaced
  by U+FFFD; either way a warning says so. Offsets always index the decoded text.

HTML (``.html``/``.htm`` or ``html=True``): the visible text is extracted with the standard
library's HTML parser (no script, style, head or template content; no code: a closed
``<pre>`` that holds ``<code>`` or is marked as code by its class or ``lang``) and
:attr:`Input.source_offsets` maps each character of it back to the source text. Block
elements (paragraphs, headings, list items, table cells ...) are set apart by a blank line,
so that no sentence runs from one into the next; ``<br>`` ends a line.

Jupyter notebooks (``.ipynb``): the text of their Markdown cells, a blank line between
cells (code cells and their outputs are not prose); offsets index that text.

Word (``.docx``) and PDF (``.pdf``) files: their text is extracted with the optional
``documents`` extra (python-docx, pypdf), a blank line between paragraphs (Word) and between
pages (PDF); offsets index that text. Without the extra, such a file gets a one-line
error that says how to install it.
"""

from __future__ import annotations

import codecs
import fnmatch
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from . import segment

__all__ = ["Input", "read_inputs", "input_sizes", "decode", "extract_html", "DEFAULT_GLOBS"]

DEFAULT_GLOBS = ("*.txt", "*.text", "*.md", "*.markdown", "*.rst", "*.html", "*.htm", "*.ipynb", "*.docx", "*.pdf")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
DOCUMENT_SUFFIXES = {".docx": "Word", ".pdf": "PDF"}  # read through the optional 'documents' extra
NOTEBOOK_SUFFIX = ".ipynb"  # a Jupyter notebook: its Markdown cells are read
DOCUMENTS_HINT = "pip install 'spundetect[documents]'"
_MAGIC = (
    b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf",
    b"\x7fELF", b"MZ", b"RIFF", b"OggS", b"ID3", b"fLaC", b"\x00\x00\x01\x00", b"SQLite format 3",
)  # fmt: skip
#: formats whose magic number is long or specific enough to decide alone, though the file
#: may start with printable text (an ASCII-only PDF or PostScript file, RTF)
_DOCUMENT_MAGIC = {
    b"%PDF-": "PDF",
    b"%!PS-Adobe": "PostScript",
    b"{\\rtf": "RTF",
    b"PK\x03\x04": "zip (or .docx, .odt, .epub)",
    b"SQLite format 3\x00": "SQLite",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "Office 97-2003",
    b"\x7fELF": "ELF",
}
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def _binary(head: bytes, name: str) -> str | None:
    """Why ``head`` (a file's first bytes) is not text, or None."""
    for magic, kind in _DOCUMENT_MAGIC.items():
        if head.startswith(magic):
            return f"{name}: not a text file ({kind}; convert it to text first)"
    if b"\0" in head or (head.startswith(_MAGIC) and not _is_utf8_text(head[:64])):
        return f"{name}: not a text file"
    return None


STREAM_BYTES = 500_000  # files larger than this are read and checked chunk by chunk (bounded memory)
CHUNK_CHARS = 100_000  # a chunk ends at a paragraph break (else a line break, else a space) near this size


@dataclass(frozen=True)
class Input:
    """One input: its text (or, for a large file, where to stream it from), or why it has none."""

    name: str
    text: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # grows while a streamed file is read
    source_offsets: np.ndarray | None = field(default=None, repr=False, compare=False)  # HTML: (n, 2) source starts, ends
    path: Path | None = None  # a large file, streamed by chunks()
    encoding: str = "utf-8"

    def chunks(self) -> Iterator[str]:
        """The text in pieces that end at paragraph breaks where possible (one piece unless streamed)."""
        if self.text is not None:
            yield self.text
        elif self.path is not None:
            yield from _stream(self.path, self.encoding, self.name, self.warnings)


_BAD_BYTES = [0]  # undecodable sequences met by the streaming decoder (one stream at a time)


def _count_bad(e: UnicodeDecodeError) -> tuple[str, int]:
    _BAD_BYTES[0] += 1
    return "\ufffd", e.end


def _stream(path: Path, encoding: str, name: str, warnings: list[str]) -> Iterator[str]:
    """Decode ``path`` incrementally and cut the text into chunks of about CHUNK_CHARS."""
    codecs.register_error("spundetect-replace", _count_bad)
    _BAD_BYTES[0] = 0
    decoder = codecs.getincrementaldecoder(encoding)(errors="spundetect-replace")
    buf = ""
    with path.open("rb") as f:
        while True:
            block = f.read(1 << 20)
            buf += decoder.decode(block, final=not block)
            while len(buf) >= 2 * CHUNK_CHARS or (not block and buf):
                cut = _cut(buf) if block or len(buf) > CHUNK_CHARS else len(buf)
                yield buf[:cut]
                buf = buf[cut:]
            if not block:
                break
    if _BAD_BYTES[0]:
        warnings.append(f"{name}: not valid {encoding}; {_BAD_BYTES[0]} undecodable byte sequences replaced by U+FFFD")


def _cut(buf: str) -> int:
    """Where to end a chunk: after the last paragraph break, line break or space before
    CHUNK_CHARS (or near CHUNK_CHARS in a text with none, but never inside a ``[->`` or
    ``[=>``, which the text format escapes); never inside a fenced code block (the next
    chunk would open with its closing fence, and the prose after it would read as code):
    after the block instead."""
    cut = _plain_cut(buf)
    for a, b in segment.code_blocks(buf) if "``" in buf or "~~" in buf else ():
        if a < cut < b:
            return b
    return cut


def _plain_cut(buf: str) -> int:
    for sep in ("\n\n", "\n", " "):
        at = buf.rfind(sep, CHUNK_CHARS // 2, CHUNK_CHARS)
        if at >= 0:
            return at + len(sep)
    cut = CHUNK_CHARS
    while cut > CHUNK_CHARS - 2 and buf[cut - 1] in "[-=":
        cut -= 1
    return cut


def decode(raw: bytes, name: str, declared: str | None = None) -> tuple[str | None, str | None, list[str]]:
    """(text, error, warnings) for the bytes of one input; ``declared``: the encoding an HTML
    page declares (:func:`declared_charset`), used where the bytes are not UTF-8."""
    for boms, encoding in ((_UTF32_BOMS, "utf-32"), ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16")):
        if raw.startswith(boms):  # UTF-32 first: its little-endian mark starts with UTF-16's
            try:
                return raw.decode(encoding), None, []
            except UnicodeDecodeError:
                return None, f"{name}: not a text file (broken {encoding.upper()})", []
    error = _binary(raw, name)
    if error:
        return None, error, []
    try:
        return raw.decode("utf-8"), None, []
    except UnicodeDecodeError as e:
        where = f"byte {e.start}"
    if declared is not None:
        try:
            return raw.decode(declared), None, []
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("cp1252"), None, [f"{name}: not valid UTF-8 ({where}); decoded as Windows-1252"]
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
        return text, None, [f"{name}: not valid UTF-8 ({where}); undecodable bytes replaced by U+FFFD"]


def _is_utf8_text(head: bytes) -> bool:
    """A magic number alone is weak for short ones ("MZ", "ID3"): printable text is text."""
    try:
        s = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\r\n\t" for c in s)


def read_inputs(
    paths: Iterable[str], globs: Iterable[str] = DEFAULT_GLOBS, *, html: bool = False, jsonl_field: str | None = None
) -> Iterator[Input]:
    """Each file, each matching file under a directory (recursive, sorted), or stdin (``-``),
    read one at a time; with ``jsonl_field``, each line of each file is a JSON record whose
    field of that name is one document (named ``PATH:LINE``)."""
    globs = tuple(globs)
    if jsonl_field is not None:
        for p in paths:
            yield from _jsonl_records(p, jsonl_field)
        return
    for p in paths:
        if p == "-":
            yield _stdin_input(html)
            continue
        path = Path(p)
        files = _files(path, globs)
        if path.is_dir() and not files:
            yield Input(str(path), error=f"{path}: no files matching {', '.join(globs)}")
        for f in files:
            if f.suffix.lower() in DOCUMENT_SUFFIXES:
                yield _document_input(f)
                continue
            if f.suffix.lower() == NOTEBOOK_SUFFIX:
                yield _notebook_input(f)
                continue
            is_html = html or f.suffix.lower() in HTML_SUFFIXES
            try:
                if not is_html and f.stat().st_size > STREAM_BYTES:
                    yield _streamed_input(f)
                    continue
                raw = f.read_bytes()
            except OSError as e:
                yield Input(str(f), error=f"{f}: {e.strerror or e}")
                continue
            yield _make_input(str(f), raw, is_html)


def _files(path: Path, globs: tuple[str, ...]) -> list[Path]:
    """The files a path names: itself, or the matching files under a directory (sorted)."""
    if path.is_dir():
        return sorted(f for f in path.rglob("*") if f.is_file() and any(fnmatch.fnmatch(f.name, g) for g in globs))
    return [path]


def input_sizes(paths: Iterable[str], globs: Iterable[str] = DEFAULT_GLOBS) -> dict[str, int] | None:
    """The size in bytes of each file :func:`read_inputs` will read, by input name; None when
    that is not known beforehand (standard input)."""
    globs = tuple(globs)
    sizes = {}
    for p in paths:
        if p == "-":
            return None
        for f in _files(Path(p), globs):
            try:
                sizes[str(f)] = f.stat().st_size
            except OSError:
                sizes[str(f)] = 0
    return sizes


def _stdin_input(html: bool) -> Input:
    """Standard input, or why it cannot be read (closed, a directory, unreadable)."""
    if sys.stdin is None:  # started with its descriptor closed
        return Input("-", error="-: standard input is closed")
    try:
        raw = sys.stdin.buffer.read()
    except (OSError, ValueError, AttributeError) as e:
        return Input("-", error=f"-: cannot read standard input ({getattr(e, 'strerror', None) or e})")
    return _make_input("-", raw, html)


def _jsonl_records(p: str, field_name: str) -> Iterator[Input]:
    """One input per JSON Lines record, read one line at a time (bounded memory)."""
    import json

    if p == "-" and sys.stdin is None:
        yield _stdin_input(False)  # its one-line error
        return
    try:
        fh = sys.stdin.buffer if p == "-" else open(p, "rb")  # noqa: SIM115 (closed below)
    except OSError as e:
        yield Input(p, error=f"{p}: {e.strerror or e}")
        return
    try:
        for n, raw in enumerate(fh, 1):
            name = f"{p}:{n}"
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except Exception as e:  # undecodable bytes, bad JSON, nesting too deep (RecursionError), ...
                yield Input(name, error=f"{name}: not a JSON record ({e.__class__.__name__})")
                continue
            text = record.get(field_name) if isinstance(record, dict) else None
            if not isinstance(text, str):
                yield Input(name, error=f"{name}: no text field {field_name!r}")
                continue
            yield Input(name, text)
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def _streamed_input(f: Path) -> Input:
    """A large file: its first megabyte decides binary or text and the encoding; the rest is
    decoded as it is read."""
    with f.open("rb") as fh:
        head = fh.read(1 << 20)
    name = str(f)
    if head.startswith(_UTF32_BOMS):
        return Input(name, path=f, encoding="utf-32")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Input(name, path=f, encoding="utf-16")
    error = _binary(head, name)
    if error:
        return Input(name, error=error)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return Input(name, path=f)
    except UnicodeDecodeError as e:
        where = f"byte {e.start}"
    try:
        head.decode("cp1252")
        return Input(name, path=f, encoding="cp1252", warnings=[f"{name}: not valid UTF-8 ({where}); decoded as Windows-1252"])
    except UnicodeDecodeError:
        return Input(name, path=f)  # UTF-8 with replacement; the stream warns


def _document_input(f: Path) -> Input:
    """A Word or PDF file's text, or why it has none (the extra missing, a damaged or
    encrypted file, a PDF without a text layer)."""
    name, kind = str(f), DOCUMENT_SUFFIXES[f.suffix.lower()]
    try:
        text = _docx_text(f) if kind == "Word" else _pdf_text(f)
    except ImportError:
        return Input(name, error=f"{name}: reading {kind} files needs the optional 'documents' extra: {DOCUMENTS_HINT}")
    except OSError as e:
        return Input(name, error=f"{name}: {e.strerror or e}")
    except _Encrypted:
        return Input(name, error=f"{name}: the {kind} file is encrypted; decrypt it first")
    except Exception as e:  # whatever a damaged file makes the reader raise
        return Input(name, error=f"{name}: cannot read this {kind} file ({e.__class__.__name__})")
    if not text.strip():
        why = " (a scanned PDF has none: run OCR first)" if kind == "PDF" else ""
        return Input(name, error=f"{name}: no text found in this {kind} file{why}")
    return Input(name, text)


def _notebook_input(f: Path) -> Input:
    """A Jupyter notebook's Markdown cells, a blank line between them, or why it has none
    (not JSON, no cells). A notebook without Markdown is an empty input, not an error."""
    import json

    name = str(f)
    try:
        notebook = json.loads(f.read_bytes())
    except OSError as e:
        return Input(name, error=f"{name}: {e.strerror or e}")
    except Exception as e:  # bad JSON or encoding, nesting too deep (RecursionError), ...
        return Input(name, error=f"{name}: not a Jupyter notebook ({e.__class__.__name__})")
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if cells is None and isinstance(notebook, dict) and isinstance(notebook.get("worksheets"), list):  # nbformat 3
        cells = [c for w in notebook["worksheets"] if isinstance(w, dict) for c in w.get("cells") or []]
    if not isinstance(cells, list):
        return Input(name, error=f"{name}: not a Jupyter notebook (no cells)")
    texts = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if isinstance(source, str) and source.strip():
            texts.append(source.strip("\n"))
    return Input(name, "\n\n".join(texts))


class _Encrypted(Exception):
    pass


def _docx_text(f: Path) -> str:
    """Body paragraphs and table cells in document order, a blank line between them (a
    heading or a list item is a paragraph of its own: no sentence runs into the next)."""
    import docx
    from docx.table import Table

    lines = []
    for block in docx.Document(str(f)).iter_inner_content():
        if not isinstance(block, Table):
            lines.append(block.text)
            continue
        for row in block.rows:
            previous = None
            for cell in row.cells:
                if previous is not None and cell._tc is previous._tc:  # a merged cell is listed once per column it spans
                    continue
                lines.extend(p.text for p in cell.paragraphs)
                previous = cell
    return "\n\n".join(line for line in lines if line.strip())


def _pdf_text(f: Path) -> str:
    """Each page's text layer, pages separated by a blank line."""
    import logging

    import pypdf

    quiet = logging.getLogger("pypdf")
    if quiet.level == logging.NOTSET:  # its warnings about odd but readable files, unless the caller set a level
        quiet.setLevel(logging.ERROR)
    reader = pypdf.PdfReader(str(f))
    if reader.is_encrypted and not reader.decrypt(""):
        raise _Encrypted
    return "\n\n".join((page.extract_text() or "").strip("\n") for page in reader.pages)


_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_LATIN1 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819", "ibm819"}


def declared_charset(head: bytes) -> str | None:
    """The Python codec of the charset an HTML page declares in a ``<meta>`` of its first
    1,024 bytes (as browsers look for it), or None; Latin-1 and ASCII labels read as
    Windows-1252, as browsers read them."""
    found = _CHARSET.search(head[:1024])
    if not found:
        return None
    label = found.group(1).decode("ascii").lower()
    if label in _LATIN1:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _make_input(name: str, raw: bytes, html: bool) -> Input:
    text, error, warnings = decode(raw, name, declared_charset(raw) if html else None)
    if text is None or not html:
        return Input(name, text, error, warnings)
    visible, offsets = extract_html(text)
    return Input(name, visible, None, warnings, offsets)


_HIDDEN = frozenset({"script", "style", "head", "template", "noscript", "svg", "math", "iframe", "object"})
_BLOCK = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table td th tr ul title".split()
)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class _Visible(HTMLParser):
    """Collects visible text and, for each character, its offset in the source."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0]
        for i, c in enumerate(source):
            if c == "\n":
                self.line_starts.append(i + 1)
        self.chunks: list[str] = []
        self.offsets: list[np.ndarray] = []
        self.hidden = 0
        self.pre: tuple[int, bool] | None = None  # an open <pre>: its first chunk, and whether it is code

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _emit(self, text: str, at: int, exact: bool, length: int = 0) -> None:
        """``text`` from the source at ``at``: character for character when ``exact``, else
        all of it from the ``length`` source characters there (a character reference)."""
        if self.hidden or not text:
            return
        self.chunks.append(text)
        if exact:
            starts = np.arange(at, at + len(text))
            self.offsets.append(np.column_stack([starts, starts + 1]))
        else:
            self.offsets.append(np.tile([at, at + length], (len(text), 1)))

    def _reference(self, text: str) -> None:
        """A character or entity reference: its text, mapped to the whole reference
        (``&#110;``, ``&amp;``; ``&amp`` where the semicolon is left out)."""
        at = self._pos()
        end = at + 1
        while end < len(self.source) and (self.source[end].isalnum() or self.source[end] == "#"):
            end += 1
        if end < len(self.source) and self.source[end] == ";":
            end += 1
        self._emit(text, at, False, end - at)

    def _newline(self, tag: str) -> None:
        """End the line at a block element's edge; a blank line after any block but ``<br>``."""
        if not self.chunks or self.hidden:
            return
        want = "\n" if tag == "br" else "\n\n"
        last = self.chunks[-1]
        have = len(last) - len(last.rstrip("\n"))
        if have < len(want):
            self._emit(want[have:], self._pos(), False)

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN and tag not in _VOID:
            self.hidden += 1
            return
        if tag in _BLOCK:
            self._newline(tag)
        if tag == "pre" and self.pre is None:
            self.pre = (len(self.chunks), _marked_as_code(attrs))
        elif tag == "code" and self.pre is not None:
            self.pre = (self.pre[0], True)

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self._newline(tag)

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if tag == "pre" and self.pre is not None:
            first, code = self.pre
            self.pre = None
            if code:  # code is not prose; a <pre> never closed stays text, as an unclosed fence does
                del self.chunks[first:], self.offsets[first:]
        if tag in _BLOCK:
            self._newline(tag)

    def handle_data(self, data):
        self._emit(data, self._pos(), True)

    def handle_entityref(self, name):
        import html

        self._reference(html.unescape(f"&{name};"))

    def handle_charref(self, name):
        import html

        self._reference(html.unescape(f"&#{name};"))


def _marked_as_code(attrs: list[tuple[str, str | None]]) -> bool:
    """Whether a ``<pre>``'s attributes mark it as code (a syntax highlighter's class, a
    ``lang``)."""
    for name, value in attrs:
        if name == "lang" or (name == "class" and value and _CODE_CLASS.search(value)):
            return True
    return False


_CODE_CLASS = re.compile(r"code|highlight|lang|brush|source|syntax|prettyprint", re.IGNORECASE)


def extract_html(source: str) -> tuple[str, np.ndarray]:
    """The visible text of an HTML document and, per character, where it comes from in
    ``source``: an ``(n, 2)`` array of start and end offsets (a character written as a
    reference spans the whole reference)."""
    parser = _Visible(source)
    parser.feed(source)
    parser.close()
    if not parser.chunks:
        return "", np.zeros((0, 2), dtype=np.int64)
    return "".join(parser.chunks), np.concatenate(parser.offsets).astype(np.int64)
