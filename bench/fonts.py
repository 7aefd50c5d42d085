"""Cold build of the cut-down CJK working fonts (fonts.py): seconds and what was built.

    .venv/bin/python bench/fonts.py [--runs 5]

Each run builds all four faces into a new empty PDF_FONT_DIR in this process (the first run
also pays loading the libraries and reading the 20–27 MB collections from disk, so it is
printed apart from the median of the others). No database needed.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
# Measured as served (DEBUG off), which needs a key; a scratch database only.
os.environ.setdefault("SECRET_KEY", "bench-only-key")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

from perfgoals.exports import fonts  # noqa: E402


def cold_build(scratch: str) -> tuple[float, dict[str, float], dict[str, Path]]:
    """Total and per-face seconds of one build into an empty directory, and the files."""
    settings.PDF_FONT_DIR = tempfile.mkdtemp(dir=scratch)
    fonts.reset_cache()
    per_face, built = {}, {}
    start = time.perf_counter()
    for face in fonts.FACES:
        face_start = time.perf_counter()
        path = fonts.build(face)
        per_face[face.slug] = time.perf_counter() - face_start
        if path is not None:
            built[face.slug] = path
    return time.perf_counter() - start, per_face, built


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = max(3, parser.parse_args().runs)

    with tempfile.TemporaryDirectory(prefix="pdf-fonts-bench-") as scratch:
        report(scratch, runs)


def report(scratch: str, runs: int) -> None:
    first, _, built = cold_build(scratch)
    totals, faces = [], {face.slug: [] for face in fonts.FACES}
    for _ in range(runs):
        total, per_face, built = cold_build(scratch)
        totals.append(total)
        for slug, seconds in per_face.items():
            faces[slug].append(seconds)

    print(f"cold build of the PDF working fonts: first run {first:.2f} s")
    print(f"median of {runs} further runs (each into an empty PDF_FONT_DIR):")
    for slug, times in faces.items():
        path = built.get(slug)
        if path is None:
            print(f"  {slug:<14} {statistics.median(times):6.3f} s  not built (font missing)")
            continue
        font = TTFont(path, lazy=True)
        print(
            f"  {slug:<14} {statistics.median(times):6.3f} s  {path.stat().st_size / 1e6:5.2f} MB"
            f"  {len(font.getGlyphOrder()):5d} glyphs  {len(font.getBestCmap()):5d} code points"
        )
    print(f"  {'all four':<14} {statistics.median(totals):6.3f} s  (min {min(totals):.3f} s)")


if __name__ == "__main__":
    main()
