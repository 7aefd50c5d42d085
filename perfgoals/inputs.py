"""Text as staff type or paste it, made plain before anything stores or judges it.

Word, WPS and web pages carry characters that print as nothing (zero-width spaces, the byte
order mark, soft hyphens, word joiners): a cell holding only those looks empty on every
screen and paper, so it must be empty to the checks too, and must not be stored.
"""

from django.http import HttpRequest, QueryDict

# The longest free text a form takes (年度目标, 正文开头, 绩效标准 …): pages of prose, far
# below a request's size limit; anything longer is a paste gone wrong, refused at the field.
LONG_TEXT_MAX = 10_000
# Printed as nothing; never meaningful in the Chinese administrative text this app holds.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064"
_REMOVE_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
# Fields whose value is a secret, compared byte for byte: left exactly as typed.
_VERBATIM_FIELDS = ("password", "otp_token", "csrfmiddlewaretoken")


def without_invisible(text: str) -> str:
    """`text` without the characters that print as nothing; spacing kept as typed."""
    return text.translate(_REMOVE_INVISIBLE)


def plain(text: str) -> str:
    """`text` without invisible characters and without surrounding (full-width) spaces."""
    return without_invisible(text).strip()


def is_blank(value) -> bool:
    """Empty to a reader: None, or text of nothing but spaces and invisible characters."""
    return value is None or (isinstance(value, str) and not plain(value))


def _verbatim(name: str) -> bool:
    return any(word in name for word in _VERBATIM_FIELDS)


class PlainInputMiddleware:
    """Removes invisible characters from every posted field and query parameter at the door,
    so no form, formset or htmx endpoint has to remember to (a form still strips the
    surrounding spaces, full-width ones included, as Django's CharField does)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        # A query string only searches and filters: a NUL byte in it is dropped (PostgreSQL
        # refuses NUL in text); a posted one is left for the form to refuse with a message.
        request.GET = _plain_query(request.GET, _without_nul)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = _plain_query(request.POST, without_invisible)
        return self.get_response(request)


def _without_nul(text: str) -> str:
    return without_invisible(text).replace("\x00", "")


def _plain_query(query: QueryDict, clean) -> QueryDict:
    if not any(
        not _verbatim(name) and any(clean(v) != v for v in values) for name, values in query.lists()
    ):
        return query
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for name, values in query.lists():
        cleaned.setlist(name, values if _verbatim(name) else [clean(v) for v in values])
    cleaned._mutable = False
    return cleaned
