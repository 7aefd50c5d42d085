"""Hostile and broken files, built in memory."""

import zipfile
from io import BytesIO

from openpyxl import Workbook

from .builders import workbook

SIMPLE = {
    "layout": "project",
    "year": 2024,
    "header": {
        "title": "项目支出绩效目标表",
        "project_name": "测试项目",
        "amount_total": "10",
        "competent_department": "测试局",
        "annual_goal": "完成建设",
    },
    "indicators": [
        {
            "name": "产出指标",
            "children": [
                {"name": "数量指标", "children": [{"name": "建设数量", "value": "≥10个"}]}
            ],
        }
    ],
}


def good() -> bytes:
    return workbook([SIMPLE])


def rezip(data: bytes, change) -> bytes:
    """Copy the package, letting `change(name, content)` replace or drop members."""
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            content = change(item.filename, src.read(item.filename))
            if content is not None:
                dst.writestr(item.filename, content)
    return out.getvalue()


def entity_bomb() -> bytes:
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )

    def change(name, content):
        if name == "xl/sharedStrings.xml" or name == "xl/workbook.xml":
            return lol + (content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content)
        return content

    return rezip(good(), change)


def zip_bomb() -> bytes:
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(good())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        # 300 MB of zeros compress to about 300 KB.
        with dst.open("xl/media/padding.bin", "w") as stream:
            block = b"\0" * (1024 * 1024)
            for _ in range(300):
                stream.write(block)
    return out.getvalue()


def encrypted() -> bytes:
    # An encrypted OOXML file is an OLE compound file with an EncryptionInfo stream.
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 512
        + "EncryptionInfo".encode("utf-16-le")
        + b"\0" * 512
    )


def legacy_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048


def renamed_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"


def plain_zip() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return out.getvalue()


def formula_without_value() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "项目名称"
    ws["B1"] = "测试"
    ws["A2"] = "年度资金总额"
    ws["B2"] = "=SUM(C1:C9)"  # openpyxl saves formulas without a cached value
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def formula_with_cached_value() -> bytes:
    data = workbook([{**SIMPLE, "header": {**SIMPLE["header"], "amount_total": 10}}])

    def change(name, content):
        if name == "xl/worksheets/sheet1.xml":
            # 年度资金总额's value 10 becomes a formula whose cached result is 10.
            assert b"<v>10</v>" in content
            return content.replace(b"<v>10</v>", b"<f>5+5</f><v>10</v>", 1)
        return content

    return rezip(data, change)


def huge_merges() -> bytes:
    data = good()

    def change(name, content):
        if name == "xl/worksheets/sheet1.xml":
            merges = b"".join(
                f'<mergeCell ref="A{r}:BH{r + 999}"/>'.encode() for r in range(100, 20000, 1000)
            )
            if b"<mergeCells" in content:
                return content.replace(b"</mergeCells>", merges + b"</mergeCells>")
        return content

    return rezip(data, change)


def without_labels() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws["A1"] = "名称"
    ws["B1"] = "金额"
    ws["A2"] = "某项目"
    ws["B2"] = 12
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def unreadable_amount() -> bytes:
    table = {**SIMPLE, "header": {**SIMPLE["header"], "amount_total": "约十万"}}
    return workbook([table])


def too_many_rows(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("长表")
    for index in range(rows):
        ws.append([index])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
