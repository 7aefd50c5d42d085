import re
from io import BytesIO

from pypdf import PdfReader

from indicators.selectors import indicator_tree, walk
from perfgoals.models import TargetTable


def pdf_text(content: bytes) -> str:
    """All text of a PDF with whitespace removed (cells wrap lines anywhere)."""
    reader = PdfReader(BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_in_order(text: str, items: list[str]) -> None:
    position = 0
    for item in items:
        item = squash(item)
        if not item:
            continue
        found = text.find(item, position)
        assert found >= 0, (
            f"{item!r} missing after position {position}: …{text[position : position + 80]}"
        )
        position = found + len(item)


def printed_sequence(table: TargetTable) -> list[str]:
    """What the indicator block prints, in order: names, and per leaf its columns."""
    out = []
    for node in walk(indicator_tree(table_id=table.pk)):
        ind = node.indicator
        out.append(ind.name)
        if not node.children:
            if table.layout == TargetTable.Layout.DEPT_PROJECT:
                out += [ind.description, ind.value_text, ind.basis]
            else:
                out.append(ind.value_text)
    return out
