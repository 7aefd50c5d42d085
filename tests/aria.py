"""What the server-side page tests check of every page state: each id an ARIA attribute or a
label names is on the page (a widget's aria-describedby names its help text and its errors
by id; a missing id silently drops them for a screen reader)."""

import re

_REFERENCES = re.compile(r'\s(aria-describedby|aria-labelledby|aria-controls|for)="([^"]*)"')
_IDS = re.compile(r'\sid="([^"]+)"')


def unresolved_references(html: str) -> list[str]:
    # <template> content is inert until editor.js copies it into the page.
    html = re.sub(r"<template\b.*?</template>", "", html, flags=re.S)
    ids = set(_IDS.findall(html))
    return [
        f'{attribute}="{value}" ({name})'
        for attribute, value in _REFERENCES.findall(html)
        for name in value.split()
        if name not in ids
    ]
