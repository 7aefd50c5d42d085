"""The parsed upload kept server-side between the preview and the confirmation.

A JSON file per upload in the temp directory, named by an unguessable token; the session
lists the tokens its user may confirm, so a token alone confirms nothing and the file is never
uploaded twice. Files older than a day are removed when a new one is written.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from perfgoals.targets.imports.labels import AMOUNT_FIELDS, PERCENT_FIELDS
from perfgoals.targets.imports.parser import ParsedTable, ParsedWorkbook

DIRECTORY = Path(tempfile.gettempdir()) / "perfgoals-imports"
MAX_AGE_SECONDS = 24 * 3600
SESSION_KEY = "table_imports"


def _path(token: str) -> Path | None:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return DIRECTORY / f"{token}.json"


def store(session, parsed: ParsedWorkbook, *, filename: str, year: int) -> str:
    DIRECTORY.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in DIRECTORY.glob("*.json"):
        if now - old.stat().st_mtime > MAX_AGE_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(18)
    payload = {"filename": filename, "year": year, "parsed": asdict(parsed)}
    _path(token).write_text(json.dumps(payload, ensure_ascii=False, default=str), encoding="utf-8")
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-9:], token]
    return token


def load(session, token: str) -> tuple[ParsedWorkbook, str, int] | None:
    """The stored upload if this session made it and it is still there."""
    path = _path(token)
    if path is None or token not in session.get(SESSION_KEY, []) or not path.exists():
        return None
    payload = json.loads(path.read_text(encoding="utf-8"))
    data = payload["parsed"]
    tables = []
    for item in data["tables"]:
        header = {
            k: (Decimal(v) if v is not None and (k in AMOUNT_FIELDS or k in PERCENT_FIELDS) else v)
            for k, v in item["header"].items()
        }
        item["unrecognised"] = [tuple(pair) for pair in item["unrecognised"]]
        tables.append(ParsedTable(**{**item, "header": header}))
    skipped = [tuple(pair) for pair in data["skipped"]]
    return ParsedWorkbook(tables=tables, skipped=skipped), payload["filename"], payload["year"]


def discard(session, token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
    session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != token]
