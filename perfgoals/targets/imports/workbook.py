"""Open an uploaded workbook without trusting it, and read each sheet as plain cells.

Everything is bounded before any XML is parsed: the file's size, the zip's members and
their uncompressed sizes (zip bombs), XML declarations (entity tricks; the parser is also told
never to load a DTD, expand an entity or touch the network), then the rows and columns read.
Formulas are never evaluated: the cached value Excel stored is read, and a formula without
one is refused by cell.

The sheets are streamed with lxml rather than opened with openpyxl: openpyxl builds a Python
object per cell and walks each sheet twice (once for its dimensions), which put a 5 MB
workbook at several seconds before any table was found. Number formats are read too, so a
percentage stored as 0.95 comes back as the 95% the user saw.
"""

from __future__ import annotations

import functools
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel

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
CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)$")
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CELL_TAG = f"{{{MAIN_NS}}}c"
VALUE_TAG, FORMULA_TAG, INLINE_TAG = f"{{{MAIN_NS}}}v", f"{{{MAIN_NS}}}f", f"{{{MAIN_NS}}}is"
TEXT_TAG, RUN_TAG = f"{{{MAIN_NS}}}t", f"{{{MAIN_NS}}}r"


class ImportRefused(Exception):
    """The file is refused as a whole; the message says why, in Chinese, for the user."""


@dataclass
class Sheet:
    name: str
    # (row, column) → value: str (stripped, never empty), int, Decimal, or date text.
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
        content = archive.read(member)
        # The whole member, not its head: comments may push a DOCTYPE past any prefix.
        if DECLARATION.search(content):
            raise ImportRefused(
                f"工作簿的 XML 内容含有实体或文档类型声明（{member.filename}），"
                "这是已知的攻击手法，拒绝读取。"
            )
        if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
            sheets[member.filename] = content
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
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def read_workbook(data: bytes) -> list[Sheet]:
    """The workbook's visible sheets as cells, or ImportRefused."""
    archive = _check_container(data)
    sheet_xml = _scan_xml(archive)
    try:
        package = _Package(archive)
    except (etree.XMLSyntaxError, KeyError, ValueError, IndexError) as exc:
        raise ImportRefused(
            f"工作簿无法打开：{type(exc).__name__}。请在 Excel 中另存为 .xlsx 后再试。"
        ) from exc
    if len(package.sheets) > MAX_SHEETS:
        raise ImportRefused(f"工作簿有 {len(package.sheets)} 个工作表，上限为 {MAX_SHEETS} 个。")
    sheets = []
    for name, path, visible in package.sheets:
        if not visible:
            continue
        sheet = Sheet(name)
        try:
            _read_sheet(sheet_xml.get(path, b""), sheet, package)
        except etree.XMLSyntaxError as exc:
            raise ImportRefused(
                f"工作表“{name}”的内容已损坏，无法读取。请在 Excel 中另存为 .xlsx 后再试。"
            ) from exc
        sheets.append(sheet)
    return sheets


def _parse(xml: bytes):
    # The DTD refusal in _scan_xml comes first; these flags make sure nothing is fetched or
    # expanded even so.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    return etree.fromstring(xml, parser)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element) -> str:
    """A string item's text: its <t>, or the <t> of each rich-text run; phonetic runs skipped."""
    parts = []
    for child in element:
        tag = child.tag
        if tag == TEXT_TAG:
            parts.append(child.text or "")
        elif tag == RUN_TAG:
            parts.extend(t.text or "" for t in child if t.tag == TEXT_TAG)
    return "".join(parts)


class _Package:
    """What the sheets need from the rest of the package: names, paths, strings and formats."""

    def __init__(self, archive: zipfile.ZipFile):
        names = set(archive.namelist())
        book = _parse(archive.read("xl/workbook.xml"))
        # Parts are found through the workbook's relationships, as Excel resolves them; the
        # customary paths are the fallback for packages written without them.
        rels, parts = {}, {"sharedStrings": "xl/sharedStrings.xml", "styles": "xl/styles.xml"}
        if "xl/_rels/workbook.xml.rels" in names:
            for rel in _parse(archive.read("xl/_rels/workbook.xml.rels")):
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                kind = rel.get("Type", "").rsplit("/", 1)[-1]
                if kind == "worksheet":
                    rels[rel.get("Id")] = target
                elif kind in parts:
                    parts[kind] = target
        self.date1904 = False
        self.sheets: list[tuple[str, str, bool]] = []
        for element in book.iter():
            name = _local(element.tag)
            if name == "workbookPr":
                self.date1904 = element.get("date1904") in ("1", "true")
            elif name == "sheet":
                rid = element.get(f"{{{REL_NS}}}id")
                if rid in rels:
                    visible = element.get("state", "visible") == "visible"
                    self.sheets.append((element.get("name", ""), rels[rid], visible))
        self.strings: list[str] = []
        if parts["sharedStrings"] in names:
            self.strings = [_text(si) for si in _parse(archive.read(parts["sharedStrings"]))]
        self.dates: set[int] = set()
        self.percents: dict[int, int] = {}  # style index → decimal places shown
        if parts["styles"] in names:
            self._read_styles(_parse(archive.read(parts["styles"])))

    def _read_styles(self, styles) -> None:
        codes = dict(BUILTIN_FORMATS)
        for element in styles.iter(f"{{{MAIN_NS}}}numFmt"):
            codes[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        for xfs in styles.iter(f"{{{MAIN_NS}}}cellXfs"):
            for index, xf in enumerate(x for x in xfs if _local(x.tag) == "xf"):
                code = codes.get(int(xf.get("numFmtId", "0")), "General")
                if is_date_format(code):
                    self.dates.add(index)
                elif "%" in (section := code.split(";", 1)[0]):
                    decimals = re.search(r"\.(0+)", section)
                    self.percents[index] = len(decimals.group(1)) if decimals else 0

    def number(self, text: str, style: int):
        # The digits Excel stored, as a Decimal: never through a float (amounts are money).
        value = Decimal(text) if any(ch in text for ch in ".eE") else int(text)
        if style in self.dates:
            # A serial day number, not money: openpyxl's conversion takes a float.
            epoch = CALENDAR_MAC_1904 if self.date1904 else WINDOWS_EPOCH
            moment = from_excel(float(value), epoch)
            return moment if moment is not None else value
        if style in self.percents:
            # Shown as the user typed it (95%), not as the stored fraction (0.95).
            places = Decimal(1).scaleb(-self.percents[style])
            return f"{(Decimal(text) * 100).quantize(places, ROUND_HALF_UP)}%"
        return value


@functools.lru_cache(maxsize=65536)
def _position(ref: str | None) -> tuple[int, int] | None:
    match = CELL_REF.match(ref or "")
    if not match:
        return None
    return int(match.group(2)), column_index_from_string(match.group(1))


def _read_sheet(xml: bytes, sheet: Sheet, package: _Package) -> None:
    if not xml:
        return
    # Streamed and cleared row by row: memory stays bounded by a row, not by the sheet.
    rows = etree.iterparse(
        BytesIO(xml),
        events=("end",),
        tag=(f"{{{MAIN_NS}}}row", f"{{{MAIN_NS}}}mergeCell"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    row_number = 0
    for _, element in rows:
        if element.tag.endswith("mergeCell"):
            _add_merge(sheet, element.get("ref", ""))
            continue
        row_number = int(element.get("r") or row_number + 1)
        _read_row(element, row_number, sheet, package)
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


def _read_row(element, row_number: int, sheet: Sheet, package: _Package) -> None:
    column = 0
    for cell in element:
        if cell.tag != CELL_TAG:
            continue
        position = _position(cell.get("r"))
        column = position[1] if position else column + 1
        value = _clean(_cell_value(cell, package, sheet, row_number, column))
        if value is None:
            continue
        if row_number > MAX_ROWS:
            raise ImportRefused(
                f"工作表“{sheet.name}”超过 {MAX_ROWS} 行，拒绝读取。请删去多余的行或拆分工作表。"
            )
        if column > MAX_COLUMNS:
            raise ImportRefused(
                f"工作表“{sheet.name}”超过 {MAX_COLUMNS} 列"
                f"（{sheet.ref(row_number, column)} 有内容），拒绝读取。"
            )
        sheet.cells[(row_number, column)] = value


def _cell_value(cell, package: _Package, sheet: Sheet, row: int, column: int):
    kind = cell.get("t", "n")
    raw = formula = inline = None
    for child in cell:
        tag = child.tag
        if tag == VALUE_TAG:
            raw = child.text
        elif tag == FORMULA_TAG:
            formula = True
        elif tag == INLINE_TAG:
            inline = child
    if kind == "inlineStr":
        return _text(inline) if inline is not None else None
    if raw is None or not raw.strip():
        if formula:
            raise ImportRefused(
                f"单元格 {sheet.ref(row, column)} 是公式且没有保存计算结果，"
                "无法读取。请在 Excel 中打开、重新计算并保存，或把公式改为数值后再上传。"
            )
        return None
    try:
        if kind == "s":
            return package.strings[int(raw)]
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind in ("str", "e", "d"):
            return raw
        return package.number(raw.strip(), int(cell.get("s") or 0))
    except (ValueError, IndexError, ArithmeticError) as exc:
        raise ImportRefused(
            f"单元格 {sheet.ref(row, column)} 的内容无法读取（{raw[:20]}）。"
            "请在 Excel 中另存为 .xlsx 后再试。"
        ) from exc


def _add_merge(sheet: Sheet, ref: str) -> None:
    first, _, last = ref.partition(":")
    top, bottom = _position(first), _position(last or first)
    if top is None or bottom is None:
        return
    sheet.merges[top] = bottom
    # A merge may name a million rows (A1:A1048576): cover only what is read.
    for r in range(top[0], min(bottom[0], MAX_ROWS) + 1):
        for c in range(top[1], min(bottom[1], MAX_COLUMNS) + 1):
            if (r, c) != top:
                sheet.covered.add((r, c))
    if len(sheet.covered) > MAX_COVERED_CELLS:
        raise ImportRefused(
            f"工作表“{sheet.name}”的合并单元格过多，拒绝读取。请取消多余的合并后再上传。"
        )
