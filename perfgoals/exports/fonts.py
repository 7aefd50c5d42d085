"""Working copies of the CJK fonts, cut down once to the characters official tables use.

WeasyPrint copies every font a document uses into memory and subsets it on every render. The
system Noto CJK collections are 20–27 MB with 65,535 glyphs per face, so that copy and subset
dominated a one-table PDF: it took 1.7–2.0× as long as the same layout in Latin-only text,
against a 1.5× budget. A working copy of each face holding GB 2312, punctuation, symbols and
Latin (~9,000 characters, ~3.5 MB) is built once per machine with HarfBuzz's subsetter (the
uharfbuzz wheel, which bundles its own HarfBuzz) and cached. Characters outside it fall back,
through the font-family lists in print.css, to the full system font, so a rare character in a
name still prints rather than showing a box.
"""

import hashlib
import io
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz
from django.conf import settings
from fontTools.ttLib import TTFont

logger = logging.getLogger(__name__)

# Bump when the character set or the subsetting changes, so cached copies are rebuilt.
CHARSET_VERSION = "2"

# Unicode blocks kept besides GB 2312: Latin, general punctuation, letterlike symbols, number
# forms, arrows, mathematical operators (≥ ≤ ≧), enclosed numbers (①), box drawing, shapes,
# CJK punctuation (〔〕), enclosed CJK, full-width forms.
EXTRA_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x017F),
    (0x02C6, 0x02DD),
    (0x0391, 0x03C9),
    (0x0401, 0x0451),
    (0x2000, 0x206F),
    (0x2100, 0x218F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x2460, 0x24FF),
    (0x2500, 0x257F),
    (0x25A0, 0x25FF),
    (0x2600, 0x26FF),
    (0x3000, 0x303F),
    (0x3200, 0x32FF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)


@dataclass(frozen=True)
class Face:
    family: str  # the family print.css asks for first
    weight: str  # CSS font-weight
    pattern: str  # fontconfig pattern of the system font to cut down
    system_family: str

    @property
    def slug(self) -> str:
        return f"{self.family.split()[-1].lower()}-{self.weight}"


FACES = (
    Face("Perfgoals Sans", "normal", "Noto Sans CJK SC:weight=regular", "Noto Sans CJK SC"),
    Face("Perfgoals Sans", "bold", "Noto Sans CJK SC:weight=bold", "Noto Sans CJK SC"),
    Face("Perfgoals Serif", "normal", "Noto Serif CJK SC:weight=regular", "Noto Serif CJK SC"),
    Face("Perfgoals Serif", "bold", "Noto Serif CJK SC:weight=bold", "Noto Serif CJK SC"),
)

URL_PREFIX = "pdf-fonts/"

_lock = threading.Lock()
_built: dict[str, Path] | None = None


def font_dir() -> Path:
    return Path(settings.PDF_FONT_DIR)


def codepoints() -> list[int]:
    points = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    for first, last in EXTRA_RANGES:
        points.update(range(first, last + 1))
    return sorted(points)


def fontconfig(*args: str) -> str:
    """What a fontconfig tool (fc-list, fc-match) prints; empty if it is missing or fails."""
    if shutil.which(args[0]) is None:
        return ""
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout


def locate(face: Face) -> tuple[Path, int] | None:
    """The system font file and collection index fontconfig picks for a face, if installed."""
    lines = fontconfig("fc-match", "-f", "%{file}\n%{index}\n%{family}", face.pattern).split("\n")
    # fc-match always answers with something; only the face we asked for will do.
    if len(lines) < 3 or face.system_family not in lines[2].split(","):
        return None
    return Path(lines[0]), int(lines[1] or 0)


def subset_unicodes(path: Path, index: int, codepoints: list[int]) -> bytes:
    """Face `index` of a font file cut down to `codepoints`, with HarfBuzz's default flags
    (hinting and the default layout features kept, glyphs renumbered)."""
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)), index)
    if index >= face.count:
        raise ValueError(f"{path} has no face {index}")
    plan = uharfbuzz.SubsetInput()
    plan.unicode_set.update(codepoints)
    return uharfbuzz.subset(face, plan).blob.data


def _cache_name(face: Face, source: Path, index: int) -> str:
    stat = source.stat()
    key = f"{CHARSET_VERSION}|{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}"
    return f"{face.slug}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.otf"


def _rename(data: bytes, face: Face) -> bytes:
    """Give the copy its own family name so fontconfig never offers it for the system family,
    which would break the fallback to the full font for characters the copy lacks."""
    font = TTFont(io.BytesIO(data), lazy=True)
    style = "Bold" if face.weight == "bold" else "Regular"
    names = {
        1: face.family,
        2: style,
        3: f"{face.family} {style} {CHARSET_VERSION}",
        4: f"{face.family} {style}",
        6: f"{face.family.replace(' ', '')}-{style}",
        16: face.family,
        17: style,
    }
    table = font["name"]
    table.names = [record for record in table.names if record.nameID not in names]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def build(face: Face) -> Path | None:
    """The cached working copy of a face, built if missing; None if the system lacks it."""
    located = locate(face)
    if located is None:
        return None
    source, index = located
    target = font_dir() / _cache_name(face, source, index)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    data = _rename(subset_unicodes(source, index, codepoints()), face)
    # Write then rename, so a concurrent render never reads half a font.
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(data)
    os.chmod(tmp.name, 0o644)  # NamedTemporaryFile makes it 0600; the web server reads it
    os.replace(tmp.name, target)
    logger.info("Built PDF working font %s from %s#%d", target.name, source, index)
    return target


def working_fonts() -> dict[str, Path]:
    """slug → file of every face that could be built, built on first use in this process."""
    global _built
    if _built is None:
        with _lock:
            if _built is None:
                built = {}
                for face in FACES:
                    try:
                        path = build(face)
                    except Exception:  # a broken font must not break exports: fall back
                        logger.exception("Could not build the PDF working font %s", face.slug)
                        path = None
                    if path is not None:
                        built[face.slug] = path
                _built = built
    return _built


def path_for(filename: str) -> Path | None:
    """The working font a fetcher URL names, or None: only files this module built."""
    for path in working_fonts().values():
        if path.name == filename:
            return path
    return None


def font_face_css(base_url: str, families: set[str]) -> str:
    fonts = working_fonts()
    rules = []
    for face in FACES:
        if face.family in families and face.slug in fonts:
            url = f"{base_url}{URL_PREFIX}{fonts[face.slug].name}"
            rules.append(
                f'@font-face {{ font-family: "{face.family}"; src: url("{url}"); '
                f"font-weight: {face.weight}; }}"
            )
    return "\n".join(rules)


def reset_cache() -> None:
    global _built
    with _lock:
        _built = None
