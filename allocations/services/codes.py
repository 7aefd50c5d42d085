"""Adding a missing 政府收支分类科目 where finance staff need it, not through an administrator.

The code is checked against the official classification's format (digits, and the lengths of
its kind: 类/款/项 of the functional classification, 类/款 of the economic ones), a duplicate
is refused naming the code already there, and the history records who added it.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from allocations.models import ClassificationCode
from perfgoals.models import User
from perfgoals.services import history_attributed

# Who keeps the classification: the finance bureau's business offices and its performance
# office. Bureaus only pick codes the finance bureau gave them.
CODE_EDITOR_ROLES = frozenset({User.Role.FINANCE_STAFF, User.Role.PERFORMANCE_REVIEWER})
# The budget line form's field for each scheme, so a new code can be put where it belongs.
SCHEME_FIELDS = {
    ClassificationCode.Scheme.FUNCTION: "function_code",
    ClassificationCode.Scheme.GOV_ECON: "gov_econ_code",
    ClassificationCode.Scheme.DEPT_ECON: "dept_econ_code",
    ClassificationCode.Scheme.PROJECT_KIND: "project_kind_code",
}
_DIGITS = re.compile(r"\d+")


def can_add_classification_codes(user: User) -> bool:
    return (
        user.is_authenticated
        and user.role in CODE_EDITOR_ROLES
        and user.organisation_id is not None
        and user.organisation.is_finance
    )


def _normalise(text: str) -> str:
    # Full-width digits and spaces come in from Word and PDF copies of the classification.
    text = (text or "").translate(
        {ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}
    )
    return re.sub(r"\s+", "", text)


def classification_code_errors(*, scheme: str, code: str, name: str) -> dict[str, str]:
    """Field-keyed messages for a code that may not be added; empty when it may."""
    errors: dict[str, str] = {}
    if scheme not in ClassificationCode.Scheme.values:
        return {"scheme": "请选择分类体系（支出功能分类、经济分类或项目分类）。"}
    label = ClassificationCode.Scheme(scheme).label
    lengths = sorted(ClassificationCode.CODE_LENGTHS[scheme])
    spelled = "或".join(str(n) for n in lengths)
    if not code:
        errors["code"] = "请填写科目编码。"
    elif not _DIGITS.fullmatch(code):
        errors["code"] = f"科目编码只能是数字，如 2100399；“{code}”中有其他字符。"
    elif len(code) not in lengths:
        errors["code"] = f"{label}的编码应为{spelled}位数字，“{code}”是{len(code)}位。"
    else:
        existing = ClassificationCode.objects.filter(scheme=scheme, code=code).first()
        if existing is not None:
            state = "" if existing.is_active else "（已停用，请管理员恢复）"
            errors["code"] = (
                f"{label}中已有编码 {existing.code} {existing.name}{state}，无需再添加。"
            )
    if not name:
        errors["name"] = "请填写科目名称（按收支分类科目表的正式名称）。"
    elif len(name) > ClassificationCode._meta.get_field("name").max_length:
        errors["name"] = "科目名称过长（最多100字）。"
    return errors


@history_attributed
@transaction.atomic
def classification_code_add(*, user: User, scheme: str, code: str, name: str) -> ClassificationCode:
    """Add an active code of `scheme`; ValidationError keyed by field, nothing saved."""
    if not can_add_classification_codes(user):
        raise PermissionDenied("只有财政局的业务股室和绩效股可以添加收支分类科目。")
    code = _normalise(code)
    name = (name or "").strip()
    errors = classification_code_errors(scheme=scheme, code=code, name=name)
    if errors:
        raise ValidationError(errors)
    try:
        # A savepoint, so a concurrent add of the same code leaves the transaction usable.
        with transaction.atomic():
            return ClassificationCode.objects.create(scheme=scheme, code=code, name=name)
    except IntegrityError:
        existing = ClassificationCode.objects.get(scheme=scheme, code=code)
        raise ValidationError(
            {"code": f"编码 {existing.code} {existing.name} 刚由他人添加，可直接选用。"}
        ) from None
