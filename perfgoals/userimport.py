"""Bulk user import from a CSV file (用户名,姓名,单位,股室,角色,电话) for administrators.

The file is read whole, each row checked against the organisations and offices in the
database, and shown as a preview with every row's problems; only a file without a problem is
saved, all rows or none. Spreadsheet programs on Chinese Windows save CSV as GBK, others as
UTF-8 with or without a BOM: all three are read.

Composition layer: it writes users, which only administrators may do, through the admin.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string

from perfgoals.models import Office, Organisation, User

COLUMNS = ("用户名", "姓名", "单位", "股室", "角色", "电话")
MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
# Administrators get every permission; they are added one by one on the user page, never by
# a file that anyone could have edited.
IMPORTABLE_ROLES = {
    str(label): value for value, label in User.Role.choices if value != User.Role.ADMINISTRATOR
}
# No 0/O, 1/l/I: the password is read off the screen and typed by someone else.
PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12


@dataclass
class UserRow:
    line: int  # the line of the file, as a spreadsheet numbers it (the header is line 1)
    username: str
    name: str
    organisation_name: str
    office_name: str
    role_label: str
    phone: str
    organisation: Organisation | None = None
    office: Office | None = None
    role: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class UserImport:
    text: str
    rows: list[UserRow]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def can_save(self) -> bool:
        return bool(self.rows) and not self.error_count


def decode_csv(raw: bytes) -> str:
    """The text of a UTF-8 (with or without BOM) or GBK file; ValidationError otherwise."""
    if len(raw) > MAX_BYTES:
        raise ValidationError(
            f"文件过大（{len(raw) // 1024} KB），最多 {MAX_BYTES // 1024} KB；请分成几个文件导入。"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is the superset of GBK that Windows writes for 简体中文.
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationError(
            "无法识别文件编码：请在 Excel 或 WPS 中“另存为 CSV（UTF-8 或 GBK）”后再上传。"
        ) from None


def parse_users(raw: bytes) -> UserImport:
    return parse_user_text(decode_csv(raw))


def parse_user_text(text: str) -> UserImport:
    """Every row of the file with what it resolves to and its problems.

    ValidationError for a file that is not a user list at all (no header, missing columns,
    too many rows); row problems are on the rows, so the preview can show them all at once.
    """
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise ValidationError("文件是空的：第一行应为列名 " + ",".join(COLUMNS) + "。") from None
    except csv.Error as exc:
        raise ValidationError(f"文件不是有效的 CSV：{exc}") from None
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            f"第1行缺少列：{'、'.join(missing)}。第一行应为列名 {','.join(COLUMNS)}。"
        )
    index = {name: header.index(name) for name in COLUMNS}
    rows: list[UserRow] = []
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError(f"行数过多：一次最多导入 {MAX_ROWS} 个用户。")
            cells = cells + [""] * (len(header) - len(cells))
            rows.append(
                UserRow(line, *(cells[index[name]].strip() for name in COLUMNS))  # type: ignore[arg-type]
            )
    except csv.Error as exc:
        raise ValidationError(f"第{reader.line_num}行不是有效的 CSV：{exc}") from None
    _resolve(rows)
    return UserImport(text=text, rows=rows)


def _resolve(rows: list[UserRow]) -> None:
    organisations = {}
    for organisation in Organisation.objects.all():
        organisations[organisation.name] = organisation
        # The short name is what people write; it counts only where it names one unit.
        if organisation.short_name:
            organisations.setdefault(organisation.short_name, organisation)
    offices = {(o.organisation_id, o.name): o for o in Office.objects.all()}
    wanted = {row.username.casefold() for row in rows if row.username}
    # Usernames differing in case only are refused too: people type them as they remember.
    taken = {
        name.casefold()
        for name in User.objects.values_list("username", flat=True)
        if name.casefold() in wanted
    }
    first_line: dict[str, int] = {}
    for row in rows:
        _check_row(row, organisations, offices, taken, first_line)


def _check_row(row, organisations, offices, taken, first_line) -> None:
    errors = row.errors
    if not row.username:
        errors.append("用户名为空。")
    else:
        try:
            User.username_validator(row.username)
        except ValidationError:
            errors.append(f"用户名“{row.username}”只能由字母、数字和 @ . + - _ 组成。")
        if len(row.username) > 150:
            errors.append("用户名过长（最多150个字符）。")
        key = row.username.casefold()
        if key in first_line:
            errors.append(f"用户名“{row.username}”与第{first_line[key]}行重复。")
        else:
            first_line[key] = row.line
        if key in taken:
            errors.append(f"用户名“{row.username}”已存在。")
    if not row.name:
        errors.append("姓名为空。")
    elif len(row.name) > 150:
        errors.append("姓名过长。")
    role = IMPORTABLE_ROLES.get(row.role_label)
    if role is None:
        if row.role_label == str(User.Role.ADMINISTRATOR.label):
            errors.append("系统管理员不能批量导入，请在用户页面逐个添加。")
        else:
            errors.append(f"角色“{row.role_label}”不存在，应为：{'、'.join(IMPORTABLE_ROLES)}。")
    else:
        row.role = role
    if not row.organisation_name:
        errors.append("单位为空。")
    else:
        row.organisation = organisations.get(row.organisation_name)
        if row.organisation is None:
            errors.append(f"单位“{row.organisation_name}”不存在，请先在“单位”中添加。")
    if row.office_name and row.organisation is not None:
        row.office = offices.get((row.organisation.pk, row.office_name))
        if row.office is None:
            errors.append(f"{row.organisation.name}没有股室“{row.office_name}”。")
    finance_roles = (User.Role.FINANCE_STAFF, User.Role.PERFORMANCE_REVIEWER)
    if role in finance_roles and row.organisation and not row.organisation.is_finance:
        errors.append(f"角色“{row.role_label}”须属于财政局，{row.organisation.name}不是财政局。")
    if len(row.phone) > 30:
        errors.append("电话过长（最多30个字符）。")


def new_password() -> str:
    return get_random_string(PASSWORD_LENGTH, PASSWORD_CHARS)


@transaction.atomic
def create_users(text: str, *, generate_passwords: bool) -> list[tuple[User, str]]:
    """Create every user of the file, or none; each with its one-time password or "".

    The file is checked again here: between preview and confirmation someone may have added
    one of the usernames.
    """
    preview = parse_user_text(text)
    if not preview.can_save:
        raise ValidationError(
            f"有 {preview.error_count} 行有问题，未导入任何用户；请修改文件后重新上传。"
        )
    created = []
    try:
        for row in preview.rows:
            user = User(
                username=row.username,
                first_name=row.name,
                organisation=row.organisation,
                office=row.office,
                role=row.role,
                phone=row.phone,
            )
            password = new_password() if generate_passwords else ""
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            created.append((user, password))
    except IntegrityError:
        raise ValidationError("保存时用户名已被占用，未导入任何用户；请重新上传文件。") from None
    return created
