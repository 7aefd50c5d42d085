"""The only way WeasyPrint may load a resource: the app's own static files.

WeasyPrint's default fetcher follows file://, http(s):// and data: URLs found in the HTML, so
an <img src="file:///etc/passwd"> in user text that escaped autoescaping would be embedded,
and a loopback URL would be requested from the server. Everything except
STATIC_BASE + STATIC_URL + <a file the static finders know> is refused and logged.
"""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

from perfgoals.exports import fonts

logger = logging.getLogger(__name__)

# A host that never resolves: documents are rendered with this base URL so that
# "/static/…" references become absolute URLs this fetcher recognises without any I/O.
STATIC_BASE = "https://perfgoals.invalid/"


class FetchRefused(ValueError):
    pass


def static_path_for(url: str) -> Path | None:
    """The file behind a URL of our own static files or PDF working fonts, or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != STATIC_BASE or parts.query or parts.fragment:
        return None
    if parts.path.startswith("/" + fonts.URL_PREFIX):
        return fonts.path_for(parts.path[len(fonts.URL_PREFIX) + 1 :])
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix) :])
    if not relative or "\\" in relative or any(p in ("", ".", "..") for p in relative.split("/")):
        return None
    found = finders.find(relative)
    candidates = [Path(found)] if found else []
    if settings.STATIC_ROOT:
        candidates.append(Path(settings.STATIC_ROOT) / relative)
    for candidate in candidates:
        resolved = candidate.resolve()
        roots = [Path(settings.STATIC_ROOT or "").resolve()] + [
            Path(d if isinstance(d, str | Path) else d[1]).resolve()
            for d in settings.STATICFILES_DIRS
        ]
        if found and candidate == Path(found):
            roots.append(resolved.parent)  # an app's static dir, as the finders report it
        if resolved.is_file() and any(resolved.is_relative_to(root) for root in roots):
            return resolved
    return None


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=["https"], allow_redirects=False, **kwargs)

    def fetch(self, url, headers=None):
        path = static_path_for(url)
        if path is None:
            logger.warning("PDF export refused to fetch %r (only the app's static files)", url)
            raise FetchRefused(f"refused: {url}")
        mime, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
        )
