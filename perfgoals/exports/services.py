"""Writing export files: rendering one document to PDF or XLSX bytes.

Synchronous downloads call export_render here; background jobs (department texts, summaries)
run the same rendering in a task worker, see perfgoals/exports/jobs.py.
"""

from dataclasses import dataclass

from perfgoals.exports.documents import Document
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.models import User

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    title: str


def render(document: Document, fmt: str) -> bytes:
    if fmt == "pdf":
        from perfgoals.exports.pdf import render_pdf

        return render_pdf(document)
    if fmt == "xlsx":
        from perfgoals.exports.xlsx import render_xlsx

        return render_xlsx(document)
    raise ValueError(f"unknown format {fmt}")


def export_render(
    *, user: User | None, kind: str, ident: str, fmt: str, progress=None
) -> ExportFile:
    """One export, in this thread. Raises Http404 when `user` may not see the object."""
    document = build_document(kind, resolve(kind, ident, user), progress)
    content = render(document, fmt)
    return ExportFile(content, f"{document.filename}.{fmt}", CONTENT_TYPES[fmt], document.title)
