"""PDF rendering with WeasyPrint: one FontConfiguration per render, a parsed stylesheet
shared by all renders, the cut-down CJK working fonts (fonts.py), and a fetcher that loads
nothing but our static files and those fonts."""

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


def render_html(html: str, families: set[str] | frozenset[str] = frozenset({SANS, SERIF})) -> bytes:
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
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, font_config=font_config
    )


def render_pdf(document: Document) -> bytes:
    return render_html(document_html(document), families_for(document))
