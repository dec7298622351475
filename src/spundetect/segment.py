"""Segmentation: text -> sentences and tokens, with character offsets into the input.

Offsets always index the string the caller gave; nothing is normalised in place.
``norm`` gives the lower-cased form the lexicon and the language model are keyed on.
Fenced code blocks (Markdown's ``` and ~~~), reStructuredText's literal blocks (after "::"
or a code directive), a static-site page's front matter (YAML between --- lines, or TOML
between +++ lines, opening the text), HTML comments and lines of markup only (tags, images,
badges) are not prose: no sentence lies in one. A line that
opens a heading, a list item or a table row starts a new sentence, its marker ("## ", "- ",
"2. ", "|") left out; a heading or a table row ends with its line; a thematic break or a
heading's underline ("---", "* * *", "===") separates what is before and after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

__all__ = [
    "Token", "Sentence", "tokenize", "sentences", "code_blocks", "literal_blocks", "front_matter", "markup", "norm",
    "is_word", "quote_mask",
]  # fmt: skip

# A word is a run of letters/digits, optionally joined by hyphens or apostrophes
# ("pro-Russian", "didn't"); anything else that is not space is a one-character token.
_TOKEN_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|[^\w\s]|_", re.UNICODE)
_WORD_RE = re.compile(r"[^\W_]", re.UNICODE)
_NUM_RE = re.compile(r"^[\d.,:/-]*\d[\d.,:/-]*(?:s|st|nd|rd|th|m|km|bn)?$")

# Sentence ends: . ! ? (with closing quotes/brackets) followed by space and an opener.
_SENT_END_RE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n\s*\n|[.!?…]+[\"'”’)\]]*\s*$")
_ABBREV = frozenset(
    "mr mrs ms dr prof sr jr st vs etc inc ltd co corp gen gov sen rep lt col maj capt sgt "
    "jan feb mar apr jun jul aug sep sept oct nov dec no vol fig eq e.g i.e u.s u.k a.m p.m".split()
)


# A fence: a line of three or more backticks or tildes, indented at most three spaces; a
# backtick fence's info string ("```python") holds no backtick (CommonMark).
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}(?=[^`\n]*$)|~{3,})(.*)$", re.MULTILINE)

# A line that opens a block of its own, indented at most three spaces as Markdown has them:
# a thematic break or a setext heading's underline ("---", "* * *", "===": the whole line),
# an ATX heading, a list item, a table row.
_BLOCK_RE = re.compile(
    r"^[ \t]{0,3}(?:(?P<rule>([-*_=])(?:[ \t]*\2){2,}[ \t]*\r?$)|(?P<heading>#{1,6})[ \t]+|[-*+•][ \t]+|\d{1,3}[.)][ \t]+"
    r"|(?P<row>\|))",
    re.MULTILINE,
)

_MARKER_LINE_RE = re.compile(r"\n[ \t]{0,3}[-*_=#+•|\d]")  # a line that may open with a marker

# Front matter: a --- (YAML) or +++ (TOML) line opening the text, a first line that sets a
# key ("title: ...", "title = ..."), and the line that closes it (--- or ... for YAML).
_FRONT_MATTER_RE = re.compile(
    r"\A\ufeff?(?:---[ \t]*\r?\n[ \t]*[A-Za-z_][\w-]*[ \t]*:.*?^(?:---|\.\.\.)"
    r"|\+\+\+[ \t]*\r?\n[ \t]*[A-Za-z_][\w-]*[ \t]*=.*?^\+\+\+)[ \t]*\r?$",
    re.DOTALL | re.MULTILINE,
)

# A reStructuredText literal block's opening line: a code directive (group 2), or any line
# that ends with "::".
_LITERAL_RE = re.compile(r"^([ \t]*)(?:(\.\. (?:code-block|code|sourcecode)::.*)|.*::)[ \t]*\r?$", re.MULTILINE)

# Markup that is not prose: an HTML comment; a line that opens with a tag or an image (its
# words are then checked by _MARKUP_RE: a line of markup only is not prose).
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_MARKUP_LINE_RE = re.compile(r"^[ \t]*(?:</?[A-Za-z!]|\[?!\[).*$", re.MULTILINE)
_MARKUP_RE = re.compile(r"</?[A-Za-z][^<>]*>|\[!\[[^\]]*\]\([^()\s]*\)\]\([^()\s]*\)|!\[[^\]]*\]\([^()\s]*\)")

# Markup inside a sentence: a web address, a Markdown link's brackets and target ("[",
# "](https://...)", "](a.md)"), an inline HTML tag whose attributes all have values ("<b>",
# "</a>", '<a href="x">'; not "a<b and c>d").
_INLINE_RE = re.compile(
    r"\[(?=[^\[\]\n]*\]\()|\]\([^()\s]*\)|\b(?:https?|ftp)://[^\s<>()\[\]]+|\bwww\.[^\s<>()\[\]]+"
    r"|</?[A-Za-z][A-Za-z0-9]*(?:\s+[\w-]+=(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s<>\"']+))*\s*/?>"
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``text`` is ``source[start:end]``."""

    text: str
    start: int
    end: int

    @property
    def norm(self) -> str:
        return norm(self.text)

    @property
    def is_word(self) -> bool:
        return is_word(self.text)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence span of the input and its tokens (a web address, a Markdown link's target
    or an HTML tag inside it is one token, not a word)."""

    start: int
    end: int
    tokens: tuple[Token, ...]


def norm(word: str) -> str:
    """The key a word is looked up by: lower case, straight apostrophe, numbers as <num>."""
    w = word.lower().replace("’", "'")
    if _NUM_RE.match(w):
        return "<num>"
    return w


def is_word(text: str) -> bool:
    """Whether a token is a word: it opens with a letter or digit, and is not a web address
    (which :func:`sentences` makes one token)."""
    return bool(_WORD_RE.match(text)) and "://" not in text and not text.startswith("www.")


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Tokens of ``text``; offsets are shifted by ``offset``."""
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in _TOKEN_RE.finditer(text)]


def _sentence_bounds(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _SENT_END_RE.finditer(text):
        end = m.end()
        if m.group().startswith("."):
            # "Mr. Smith", "U.S. officials": an abbreviation does not end the sentence.
            prev = re.search(r"([\w.]+)\.$", text[max(start, m.start() - 40) : m.start() + 1])
            if prev and prev.group(1).lower() in _ABBREV:
                continue
            if prev and len(prev.group(1)) == 1 and prev.group(1).isupper():
                continue  # an initial: "J. Smith"
        yield start, end
        start = end
    if start < len(text):
        yield start, len(text)


def code_blocks(text: str) -> list[tuple[int, int]]:
    """The fenced code blocks of ``text`` as (start, end) character ranges, fences included:
    from a line that opens a fence to the next line that closes it (the same character, at
    least as many, nothing else but spaces). A fence that is never closed opens no block:
    the text after it stays prose (CommonMark would make the rest of the document code, so
    that one stray fence would hide it from the check)."""
    blocks: list[tuple[int, int]] = []
    opened: re.Match | None = None
    for m in _FENCE_RE.finditer(text):
        if opened is None:
            opened = m
            continue
        fence, closing = opened.group(1), m.group(1)
        if closing[0] == fence[0] and len(closing) >= len(fence) and not m.group(2).strip():
            blocks.append((opened.start(), m.end()))
            opened = None
    return blocks


def literal_blocks(text: str) -> list[tuple[int, int]]:
    """reStructuredText's literal blocks as (start, end) character ranges: the lines indented
    deeper than a line that ends with "::" ("Run it like this::"; that line stays prose), or
    than a code directive (".. code-block:: python", the directive included), blank lines
    between them; a "::" with no indented line after it opens nothing."""
    blocks: list[tuple[int, int]] = []
    for m in _LITERAL_RE.finditer(text):
        if blocks and m.start() < blocks[-1][1]:
            continue  # inside the block before
        indent = len(m.group(1).expandtabs())
        start = end = None
        at = m.end()
        while at < len(text):
            eol = text.find("\n", at + 1)
            eol = len(text) if eol < 0 else eol
            line = text[at + 1 : eol] if text[at] == "\n" else text[at:eol]
            if line.strip():
                if len(line.expandtabs()) - len(line.expandtabs().lstrip()) <= indent:
                    break
                start = (eol - len(line)) if start is None else start
                end = len(line.rstrip()) + eol - len(line)
            at = eol
        if start is not None:
            blocks.append((m.start() if m.group(2) else start, end))
    return blocks


def front_matter(text: str) -> tuple[int, int] | None:
    """The (start, end) of the front matter opening ``text``, its fences included, or None."""
    m = _FRONT_MATTER_RE.match(text) if text[:4].lstrip("\ufeff")[:3] in ("---", "+++") else None
    return (m.start(), m.end()) if m else None


def markup(text: str) -> list[tuple[int, int]]:
    """HTML comments, and lines that hold nothing but markup (HTML tags, Markdown images and
    badges: ``<p align="center">``, ``[![Build](...)](...)``), as (start, end) ranges."""
    found = [(m.start(), m.end()) for m in _COMMENT_RE.finditer(text)] if "<!--" in text else []
    for m in _MARKUP_LINE_RE.finditer(text):
        if not _MARKUP_RE.sub("", m.group()).strip():
            found.append((m.start(), m.end()))
    return sorted(found)


def _prose(text: str) -> Iterator[tuple[int, int]]:
    """The ranges of ``text`` outside its front matter, fenced code and literal blocks, HTML
    comments and lines of markup only."""
    meta = front_matter(text)
    at = meta[1] if meta else 0
    fenced = code_blocks(text) if "``" in text or "~~" in text else []
    literal = literal_blocks(text) if "::" in text else []
    tagged = markup(text) if "<" in text or "![" in text else []
    for a, b in sorted(fenced + literal + tagged) if literal or tagged else fenced:
        if b <= at:
            continue
        if a > at:
            yield at, a
        at = b
    if at < len(text):
        yield at, len(text)


def sentences(text: str, max_tokens: int | None = None) -> list[Sentence]:
    """Split ``text`` into sentences (leading/trailing space excluded) with their tokens;
    a sentence longer than ``max_tokens`` tokens is cut into pieces of at most that many.
    What is not prose is left out, and no sentence crosses a block's edge (module doc)."""
    out: list[Sentence] = []
    for a, b in _bounds(text):
        chunk = text[a:b]
        stripped = chunk.strip()
        if not stripped:
            continue
        s = a + (len(chunk) - len(chunk.lstrip()))
        e = s + len(stripped)
        tokens = _inline_markup_as_one(tokenize(text[s:e], s), text, s, e)
        if max_tokens is None or len(tokens) <= max_tokens:
            out.append(Sentence(s, e, tuple(tokens)))
            continue
        for i in range(0, len(tokens), max_tokens):
            piece = tokens[i : i + max_tokens]
            out.append(Sentence(piece[0].start, piece[-1].end, tuple(piece)))
    return out


def _inline_markup_as_one(tokens: list[Token], text: str, s: int, e: int) -> list[Token]:
    """``tokens`` with each piece of inline markup (:data:`_INLINE_RE`: a web address, a
    Markdown link's bracket or target, an HTML tag) as one token that is not a word
    (:func:`is_word`): the words around it are still apart, and no span runs across it."""
    piece = text[s:e]
    if "://" not in piece and "](" not in piece and "www." not in piece and "<" not in piece:
        return tokens
    out: list[Token] = []
    found = iter([(m.start(), m.end()) for m in _INLINE_RE.finditer(text, s, e)] + [(e + 1, e + 1)])
    a, b = next(found)
    for t in tokens:
        while t.start >= b:
            a, b = next(found)
        if t.start < a:
            out.append(t)
        elif not out or out[-1].start != a:
            out.append(Token(text[a:b], a, b))
    return out


def _blocks(text: str, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """The blocks of ``text[lo:hi]`` that sentences never cross: a heading, list item or
    table row starts one after its marker, a heading or table row ends with its line, and a
    thematic break is a line of its own, in no block."""
    at = lo
    for m in _block_markers(text, lo, hi):
        if m.start() > at:
            yield at, m.start()
        at = m.end()
        if m.group("heading") or m.group("row"):
            eol = text.find("\n", at, hi)
            eol = hi if eol < 0 else eol
            yield at, eol
            at = eol
    if at < hi:
        yield at, hi


def _block_markers(text: str, lo: int, hi: int) -> Iterator[re.Match]:
    """:data:`_BLOCK_RE`'s matches in ``text[lo:hi]``, tried only where a line opens with a
    character a marker can start with (found by a search with a literal prefix, which the
    regex engine runs fast; the multiline pattern alone tries every position)."""
    starts = [lo] if lo == 0 or text[lo - 1] == "\n" else []
    starts += [m.start() + 1 for m in _MARKER_LINE_RE.finditer(text, lo, hi)]
    for at in starts:
        m = _BLOCK_RE.match(text, at, hi)
        if m:
            yield m


def _bounds(text: str) -> Iterator[tuple[int, int]]:
    """Sentence bounds in each block of each prose range of ``text``."""
    for lo, hi in _prose(text):
        for start, end in _blocks(text, lo, hi):
            piece = text if (start, end) == (0, len(text)) else text[start:end]
            for a, b in _sentence_bounds(piece):
                yield start + a, start + b


def quote_mask(tokens: list[str] | tuple[str, ...]) -> list[bool]:
    """For each token, whether it lies inside quotation marks (straight or curly); the
    marks themselves count as inside."""
    mask, inside = [], False
    for t in tokens:
        if t in ("“", "”", '"'):
            inside = t == "“" or (t == '"' and not inside)
            mask.append(True)
        else:
            mask.append(inside)
    return mask
