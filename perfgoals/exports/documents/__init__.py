"""Official layouts (DOMAIN.md §4) as Grids and document parts, built from selector output.

One builder per layout; both the PDF and the XLSX writer draw what these return. The parts
every family shares are here; the builders are in one module per document family.
"""

import re
from dataclasses import dataclass, field

from perfgoals.display import one_line
from perfgoals.exports.grid import Grid


@dataclass
class Narrative:
    """Seed 004 part 1: headed paragraphs."""

    heading: str
    sections: list[tuple[str, list[str], str]]  # (heading, paragraphs, anchor)
    kind: str = "narrative"
    stamp: str = ""  # as Grid.stamp


@dataclass
class NoticeBody:
    doc_number: str
    issuer_mark: str
    title: str
    recipients: str
    paragraphs: list[str]
    attachment_titles: list[str]
    issuer_name: str
    signed_date: str
    copy_to: str
    printed_by: str
    printed_date: str
    kind: str = "notice"

    @property
    def has_imprint(self) -> bool:
        """版记 (抄送, 印发机关 and 印发日期) exists only when the document states one of them."""
        return bool(self.copy_to or self.printed_by or self.printed_date)


@dataclass
class Cover:
    organisation: str
    title: str
    draft: bool
    compiled_by: str
    reviewed_by: str
    kind: str = "cover"


@dataclass
class TocEntry:
    text: str
    anchor: str
    level: int


@dataclass
class Toc:
    entries: list[TocEntry]
    kind: str = "toc"


@dataclass
class PartTitle:
    """第一部分 / 第二部分 on a page of its own heading."""

    number: str
    text: str
    anchor: str
    kind: str = "part"


@dataclass
class Placeholder:
    heading: str
    title: str
    text: str
    kind: str = "placeholder"


@dataclass
class Document:
    title: str
    filename: str  # without extension
    parts: list = field(default_factory=list)

    @property
    def grids(self) -> list[Grid]:
        return [p for p in self.parts if isinstance(p, Grid)]


def safe_filename(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", one_line(text))[:80] or "export"
