"""One finding type for every check: target-table rules, tree rules and notice checks.

A finding is an error (blocks issuing or submitting) or a warning (staff may acknowledge it).
``key`` fingerprints a finding so an acknowledgement survives re-checking but not a change of
the row's text; it hashes the message, so messages must stay byte-identical across refactors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Finding", "Severity"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    field: str = ""
    indicator_id: int | None = None
    suggestion: str = ""

    @property
    def key(self) -> str:
        """Fingerprint for acknowledging this warning: changes when the row's text changes."""
        raw = f"{self.code}|{self.indicator_id or ''}|{self.field}|{self.message}"
        return hashlib.sha256(raw.encode()).hexdigest()

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "field": self.field,
            "indicator_id": self.indicator_id,
            "suggestion": self.suggestion,
        }
