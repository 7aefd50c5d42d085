"""The one formula guard for every spreadsheet the app writes (list exports, official XLSX, CSV).

Excel, WPS and LibreOffice evaluate a cell whose text starts with one of these characters;
text typed by staff must reach the sheet as text (QUALITY.md: formula injection).
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)
