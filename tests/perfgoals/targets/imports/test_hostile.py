"""Bad files get a clear Chinese answer naming what is wrong, and change nothing."""

import pytest

from perfgoals.targets.imports import workbook as wbmod
from perfgoals.targets.imports.services import parse_upload
from perfgoals.targets.imports.workbook import ImportRefused

from . import hostile
from .builders import workbook


@pytest.mark.parametrize(
    "make, expected",
    [
        (hostile.renamed_pdf, "不是 Excel 工作簿"),
        (hostile.plain_zip, "不是 Excel 工作簿"),
        (hostile.legacy_xls, "旧版 Excel（.xls）"),
        (hostile.encrypted, "设置了打开密码"),
        (hostile.entity_bomb, "实体或文档类型声明"),
        (hostile.zip_bomb, "压缩炸弹"),
        (hostile.formula_without_value, "Sheet1!B2 是公式且没有保存计算结果"),
        (lambda: b"PK\x03\x04broken", "已损坏"),
        (hostile.huge_merges, "合并单元格过多"),
    ],
    ids=[
        "pdf",
        "zip",
        "xls",
        "encrypted",
        "entities",
        "zip-bomb",
        "formula",
        "truncated",
        "merges",
    ],
)
def test_hostile_file_is_refused_with_a_reason(make, expected):
    with pytest.raises(ImportRefused) as refused:
        parse_upload(make())
    assert expected in str(refused.value)


def test_oversized_file_is_refused_before_it_is_opened(monkeypatch):
    monkeypatch.setattr(wbmod, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ImportRefused, match="文件太大"):
        parse_upload(hostile.good())


def test_too_many_rows_is_refused_naming_the_sheet(monkeypatch):
    monkeypatch.setattr(wbmod, "MAX_ROWS", 50)
    with pytest.raises(ImportRefused, match="工作表“长表”超过 50 行"):
        parse_upload(hostile.too_many_rows(51))


def test_too_many_tables_are_refused(monkeypatch):
    monkeypatch.setattr(wbmod, "MAX_TABLES", 1)
    with pytest.raises(ImportRefused, match="工作簿中有 2 张表，一次最多导入 1 张"):
        parse_upload(workbook([hostile.SIMPLE, hostile.SIMPLE]))


def test_formula_with_a_cached_value_reads_the_value():
    table = parse_upload(hostile.formula_with_cached_value()).tables[0]
    assert str(table.header["amount_total"]) == "10"


def test_sheet_without_labels_names_the_sheet_and_what_is_missing():
    parsed = parse_upload(hostile.without_labels())
    assert parsed.tables == []
    assert parsed.skipped == [
        ("数据", "项目名称（或专项名称、部门（单位）名称）、一级指标/二级指标/三级指标表头")
    ]


def test_unreadable_amount_names_the_cell():
    table = parse_upload(hostile.unreadable_amount()).tables[0]
    assert any("单元格 Sheet1!" in p and "“约十万”不是可识别的数字" in p for p in table.problems)
