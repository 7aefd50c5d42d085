"""First page of every export kind rendered to PNG (artifacts/exports/) for people to look at.

The assertions check what can be checked mechanically: the page exists, has the expected
orientation, and is not blank.
"""

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from allocations.models import AllocationTable, FundNotice
from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.pdf import render_pdf
from perfgoals.models import Organisation, TargetTable

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "exports"

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is installed by make test"
)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def ident(name: str) -> tuple[str, str]:
    if name == "notice":
        return "notice", str(FundNotice.objects.get(doc_serial=296).pk)
    if name == "allocation":
        return "allocation", str(AllocationTable.objects.order_by("pk").first().pk)
    if name in ("department", "summary"):
        org = {
            "department": ("顺平县医疗保障局", 2020),
            "summary": ("株洲市石峰区卫生和计划生育局", 2019),
        }[name]
        return name, f"{Organisation.objects.get(name=org[0]).pk}-{org[1]}"
    layout, org = {
        "target-project": ("project", "瑞丽市卫生健康局"),
        "target-transfer": ("transfer", "德宏州卫生健康委员会"),
        "target-dept-project": ("dept_project", "顺平县医疗保障局"),
        "target-department": ("department", "株洲市石峰区卫生和计划生育局"),
    }[name]
    table = TargetTable.objects.filter(layout=layout, organisation__name=org).order_by("pk")
    return "target", str(table.first().pk)


@pytest.mark.parametrize(
    "name, landscape",
    [
        ("notice", False),
        ("allocation", True),
        ("target-project", False),
        ("target-transfer", False),
        ("target-dept-project", False),
        ("target-department", False),
        ("department", False),
        ("summary", True),
    ],
)
def test_first_page_renders_to_png(demo, tmp_path, name, landscape):
    kind, key = ident(name)
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(render_pdf(build_document(kind, resolve(kind, key, None))))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
        timeout=60,
    )
    data = stem.with_suffix(".png").read_bytes()
    width, height = png_size(data)
    assert (width > height) is landscape
    # A blank A4 page at 60 dpi compresses to about 1 KB; a page of table text to many more.
    assert len(data) > 15_000
