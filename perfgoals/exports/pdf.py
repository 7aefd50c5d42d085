"""PDF rendering with WeasyPrint: one FontConfiguration per render, a parsed stylesheet
shared by all renders, and a fetcher that loads nothing but our static files."""

from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from perfgoals.exports.documents import Document
from perfgoals.exports.fetcher import STATIC_BASE, StaticOnlyFetcher

PRINT_CSS = settings.BASE_DIR / "static" / "css" / "print.css"


@lru_cache(maxsize=1)
def print_stylesheet() -> CSS:
    # No @font-face in print.css, so the parsed sheet does not depend on a FontConfiguration.
    return CSS(string=PRINT_CSS.read_text(encoding="utf-8"), url_fetcher=StaticOnlyFetcher())


def document_html(document: Document) -> str:
    return render_to_string("exports/document.html", {"document": document})


def render_html(html: str) -> bytes:
    font_config = FontConfiguration()
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher()).write_pdf(
        stylesheets=[print_stylesheet()], font_config=font_config
    )


def render_pdf(document: Document) -> bytes:
    return render_html(document_html(document))
