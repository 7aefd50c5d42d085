"""PDF rendering with WeasyPrint: one FontConfiguration per render, a parsed stylesheet
shared by all renders, the cut-down CJK working fonts (fonts.py), and a fetcher that loads
nothing but our static files and those fonts."""

import copy
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from perfgoals.exports import fonts
from perfgoals.exports.documents import Document
from perfgoals.exports.fetcher import STATIC_BASE, StaticOnlyFetcher

PRINT_CSS = settings.BASE_DIR / "static" / "css" / "print.css"

SANS, SERIF = "Perfgoals Sans", "Perfgoals Serif"
# Parts print.css sets in the serif face; every other part is sans only, and a face that is
# declared is loaded on every render whether used or not.
SERIF_PARTS = {"notice", "cover"}


@lru_cache(maxsize=1)
def print_stylesheet() -> CSS:
    # No @font-face in print.css, so the parsed sheet does not depend on a FontConfiguration.
    return CSS(string=PRINT_CSS.read_text(encoding="utf-8"), url_fetcher=StaticOnlyFetcher())


def document_html(document: Document) -> str:
    return render_to_string("exports/document.html", {"document": document})


def families_for(document: Document) -> set[str]:
    kinds = {getattr(part, "kind", "") for part in document.parts}
    return {SANS, SERIF} if kinds & SERIF_PARTS else {SANS}


def layout_html(html: str, families: set[str] | frozenset[str] = frozenset({SANS, SERIF})):
    """The laid-out pages of `html` (weasyprint.Document), ready to write as PDF."""
    font_config = FontConfiguration()
    fetcher = StaticOnlyFetcher()
    stylesheets = [print_stylesheet()]
    if face_css := fonts.font_face_css(STATIC_BASE, set(families)):
        stylesheets.insert(
            0,
            CSS(
                string=face_css, base_url=STATIC_BASE, url_fetcher=fetcher, font_config=font_config
            ),
        )
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=font_config
    )


def render_html(html: str, families: set[str] | frozenset[str] = frozenset({SANS, SERIF})) -> bytes:
    return layout_html(html, families).write_pdf()


def page_starts(pages) -> list[tuple[int, int, int]]:
    """(part, section, body row) of the table row each page after the first begins with,
    read from the data-row marks document.html puts on body rows."""
    starts = []
    for page in pages[1:]:
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", None) == "tr" and box.element.get("data-row"):
                part, section, row = map(int, box.element.get("data-row").split("."))
                starts.append((part, section, row))
                break
    return starts


# A cut label moves the rows after it by a line at most; two more layouts settle every seed.
MAX_LAYOUTS = 3


def render_pdf(document: Document) -> bytes:
    """Lay the document out; where a page begins inside a 一级/二级 span, print that label
    again on the new page (Section.restart_spans_at) and lay out again. A copy is cut, so
    the document's grids, which the XLSX also draws, keep the spans the table has."""
    families = families_for(document)
    pages = layout_html(document_html(document), families)
    copied = False
    for _ in range(MAX_LAYOUTS - 1):
        breaks = page_starts(pages.pages)
        if not copied and breaks:
            document, copied = copy.deepcopy(document), True
        cut = False
        for part, section, row in breaks:
            cut |= document.parts[part].sections[section].restart_spans_at(row)
        if not cut:
            break
        pages = layout_html(document_html(document), families)
    return pages.write_pdf()
