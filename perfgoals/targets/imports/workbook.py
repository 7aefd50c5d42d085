"""Open an uploaded workbook without trusting it, and read each sheet as plain cells.

Everything here is bounded before openpyxl sees the file: its size, the zip's members and
their uncompressed sizes (zip bombs), XML declarations (entity tricks; openpyxl also parses
through defusedxml), and the number of rows and columns read. Formulas are never evaluated:
the cached value Excel stored is read, and a formula without one is refused by cell.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.xml import DEFUSEDXML

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member; sheet XML rarely passes 30
MAX_MEMBERS = 1000
MAX_SHEETS = 100
MAX_ROWS = 20000  # per sheet
MAX_COLUMNS = 60
MAX_CELL_CHARS = 5000
MAX_COVERED_CELLS = 200_000  # cells inside merged ranges, per sheet
# Each table is checked in the preview (about 5 ms a table): this bounds the preview's time.
MAX_TABLES = 500

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
# A cell with a formula element and no cached value: <c r="B3"><f>SUM(…)</f></c> or <v/>.
FORMULA_WITHOUT_VALUE = re.compile(
    rb'<c\s+r="([A-Z]+\d+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>|</c>)'
)
HAS_FORMULA = re.compile(rb"<f[\s>/]")


class ImportRefused(Exception):
    """The file is refused as a whole; the message says why, in Chinese, for the user."""


@dataclass
class Sheet:
    name: str
    # (row, column) → value: str (stripped, never empty), int, Decimal-ready float, or date text.
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    # Top-left (row, column) → bottom-right (row, column) of each merged range.
    merges: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    covered: set[tuple[int, int]] = field(default_factory=set)

    def ref(self, row: int, col: int) -> str:
        return f"{self.name}!{get_column_letter(col)}{row}"


def _check_container(data: bytes) -> zipfile.ZipFile:
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            f"文件太大（{len(data) / 1024 / 1024:.1f} MB），"
            f"上限为 {MAX_FILE_BYTES // 1024 // 1024} MB。"
            "请把工作簿拆成几个文件分别导入。"
        )
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise ImportRefused(
                "工作簿设置了打开密码（已加密），无法读取。"
                "请在 Excel 中取消密码后另存为 .xlsx 再上传。"
            )
        raise ImportRefused("这是旧版 Excel（.xls）文件。请在 Excel 中另存为 .xlsx 后再上传。")
    if not data.startswith(ZIP_MAGIC):
        raise ImportRefused("文件不是 Excel 工作簿（.xlsx）。请上传用 Excel 保存的 .xlsx 文件。")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportRefused("文件已损坏或不是 .xlsx 工作簿，无法打开。") from exc
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise ImportRefused("文件是压缩包但不是 Excel 工作簿（.xlsx），缺少工作簿内容。")
    if len(members) > MAX_MEMBERS:
        raise ImportRefused(f"工作簿内部文件过多（{len(members)} 个），拒绝读取。")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ImportRefused("工作簿内容已加密，无法读取。请取消密码后另存为 .xlsx 再上传。")
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (member.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            raise ImportRefused(
                "工作簿解压后异常巨大（疑似“压缩炸弹”），拒绝读取。请检查文件来源。"
            )
    return archive


def _scan_xml(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """Refuse DTDs and entity declarations anywhere; return each worksheet's XML by path."""
    sheets: dict[str, bytes] = {}
    for member in archive.infolist():
        if not member.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(member) as stream:
            head = stream.read(4096)
            if DECLARATION.search(head):
                raise ImportRefused(
                    f"工作簿的 XML 内容含有实体或文档类型声明（{member.filename}），"
                    "这是已知的攻击手法，拒绝读取。"
                )
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                sheets[member.filename] = head + stream.read()
    return sheets


def _clean(value):
    if value is None:
        return None
    if isinstance(value, str):
        # Full-width spaces and non-breaking spaces pad hand-made cells.
        text = value.replace("\u3000", " ").replace("\xa0", " ").strip()
        return text[:MAX_CELL_CHARS] or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_workbook(data: bytes) -> list[Sheet]:
    """The workbook's visible sheets as cells, or ImportRefused."""
    if not DEFUSEDXML:  # openpyxl parses with the standard library without it
        raise ImportRefused("服务器缺少 defusedxml，导入已停用。请联系管理员。")
    archive = _check_container(data)
    sheet_xml = _scan_xml(archive)
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for a broken package
        raise ImportRefused(
            f"工作簿无法打开：{type(exc).__name__}。请在 Excel 中另存为 .xlsx 后再试。"
        ) from exc
    try:
        if len(wb.worksheets) > MAX_SHEETS:
            raise ImportRefused(f"工作簿有 {len(wb.worksheets)} 个工作表，上限为 {MAX_SHEETS} 个。")
        sheets = []
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            sheet = Sheet(ws.title)
            xml = sheet_xml.get(getattr(ws, "_worksheet_path", "").lstrip("/"), b"")
            if HAS_FORMULA.search(xml):
                missing = FORMULA_WITHOUT_VALUE.search(xml)
                if missing:
                    raise ImportRefused(
                        f"单元格 {ws.title}!{missing.group(1).decode()} 是公式且没有保存计算结果，"
                        "无法读取。请在 Excel 中打开、重新计算并保存，或把公式改为数值后再上传。"
                    )
            _read_cells(ws, sheet)
            for match in MERGE.finditer(xml):
                c1, r1, c2, r2 = match.groups()
                top = (int(r1), column_index_from_string(c1.decode()))
                bottom = (int(r2), column_index_from_string(c2.decode()))
                sheet.merges[top] = bottom
                # A merge may name a million rows (A1:A1048576): cover only what is read.
                for r in range(top[0], min(bottom[0], MAX_ROWS) + 1):
                    for c in range(top[1], min(bottom[1], MAX_COLUMNS) + 1):
                        if (r, c) != top:
                            sheet.covered.add((r, c))
                if len(sheet.covered) > MAX_COVERED_CELLS:
                    raise ImportRefused(
                        f"工作表“{ws.title}”的合并单元格过多，拒绝读取。请取消多余的合并后再上传。"
                    )
            sheets.append(sheet)
        return sheets
    finally:
        wb.close()


def _read_cells(ws, sheet: Sheet) -> None:
    for r, row in enumerate(ws.iter_rows(values_only=True), 1):
        if r > MAX_ROWS:
            raise ImportRefused(
                f"工作表“{ws.title}”超过 {MAX_ROWS} 行，拒绝读取。请删去多余的行或拆分工作表。"
            )
        for c, value in enumerate(row, 1):
            value = _clean(value)
            if value is None:
                continue
            if c > MAX_COLUMNS:
                raise ImportRefused(
                    f"工作表“{ws.title}”超过 {MAX_COLUMNS} 列"
                    f"（{sheet.ref(r, c)} 有内容），拒绝读取。"
                )
            sheet.cells[(r, c)] = value
