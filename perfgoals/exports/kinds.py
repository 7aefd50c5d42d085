"""The export kinds, one class each, registered in KINDS.

A kind declares its identifier and label, whether the web runs it as a background job, how
`(user, ident)` is found through the scoped selectors (out of the user's scope → Http404), how
its Document is built, and which objects it lists on /exports/ and in `export --list`. The
download URL, the views, the job model's choices, the `export` command and the links partial
all read KINDS; adding a kind is a class here (then `makemigrations exports` records the new
choice of ExportJob.kind).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from django.http import Http404

from allocations.selectors import ComputedAllocation
from perfgoals.exports import selectors
from perfgoals.exports.documents import Document
from perfgoals.exports.documents.allocations import allocation_document
from perfgoals.exports.documents.notices import (
    department_document,
    notice_document,
    summary_document,
)
from perfgoals.exports.documents.targets import target_document
from perfgoals.exports.selectors import (
    DEPARTMENT_LAYOUTS,
    DepartmentExport,
    ExportScope,
    NoticeExport,
    SummaryExport,
    TableExport,
)
from perfgoals.models import TargetTable, User

Data = TypeVar("Data")
Progress = Callable[[int, int], None]


@dataclass
class Exportable:
    kind: str
    ident: str
    label: str

    @property
    def kind_label(self) -> str:
        """The kind in words for the pages (the code `kind` is for URLs and the command)."""
        return KINDS[self.kind].label


class ExportKind(Generic[Data]):
    ident: ClassVar[str]
    label: ClassVar[str]  # ExportJob.kind's choice label
    link_label: ClassVar[str] = ""  # after 导出 in the links partial
    # Kinds made of many tables: the web runs them as background jobs.
    background: ClassVar[bool] = False
    list_position: ClassVar[int]  # order of the kinds in exportable_objects()

    def resolve(self, user: User | None, ident: str) -> Data:
        """The export data of one object, or Http404 when `user` may not see it."""
        raise NotImplementedError

    def document(self, data: Data, progress: Progress | None = None) -> Document:
        raise NotImplementedError

    def ident_of(self, obj: Any) -> str:
        """The identifier of `obj` in URLs and jobs; empty when it has none."""
        raise NotImplementedError

    def exportables(self, scope: ExportScope) -> Iterator[Exportable]:
        raise NotImplementedError


class ObjectKind(ExportKind[Data]):
    """A kind of one row, identified by its primary key."""

    def resolve(self, user: User | None, ident: str) -> Data:
        try:
            pk = int(ident)
        except (TypeError, ValueError) as exc:
            raise Http404("编号无效。") from exc
        return self.find(user, pk)

    def find(self, user: User | None, pk: int) -> Data:
        raise NotImplementedError

    def ident_of(self, obj: Any) -> str:
        return str(getattr(obj, "pk", obj))


class OrganisationYearKind(ExportKind[Data]):
    """A kind of an organisation's year, identified as "<organisation id>-<year>"."""

    background = True
    # An organisation's year is listed when it has a table of one of these layouts.
    listed_layouts: ClassVar[tuple[str, ...]]

    def ident_of(self, obj: Any) -> str:
        """`obj` is "org-year" or anything with organisation_id and year (a TargetTable)."""
        if isinstance(obj, str):
            return obj
        org_id = getattr(obj, "organisation_id", None)
        year = getattr(obj, "year", None)
        if org_id is None or year is None:
            return ""
        return f"{org_id}-{year}"

    def exportables(self, scope: ExportScope) -> Iterator[Exportable]:
        groups = {
            (table.organisation_id, table.year): self.listed_label(table)
            for table in scope.target_tables
            if table.layout in self.listed_layouts
        }
        for (org_id, year), label in sorted(groups.items()):
            yield Exportable(self.ident, f"{org_id}-{year}", label)

    def listed_label(self, table: TargetTable) -> str:
        raise NotImplementedError


class TargetKind(ObjectKind[TableExport]):
    ident = "target"
    label = "绩效目标表"
    list_position = 3

    def find(self, user: User | None, pk: int) -> TableExport:
        return selectors.target_export(user, pk)

    def document(self, data: TableExport, progress: Progress | None = None) -> Document:
        return target_document(data)

    def exportables(self, scope: ExportScope) -> Iterator[Exportable]:
        for table in scope.target_tables:
            yield Exportable(
                self.ident,
                str(table.pk),
                f"{table.organisation.name} {table.year} {table.get_layout_display()} "
                f"{table.project_name}",
            )


class AllocationKind(ObjectKind[ComputedAllocation]):
    ident = "allocation"
    label = "分配表"
    list_position = 2

    def find(self, user: User | None, pk: int) -> ComputedAllocation:
        return selectors.allocation_export(user, pk)

    def document(self, data: ComputedAllocation, progress: Progress | None = None) -> Document:
        return allocation_document(data)

    def exportables(self, scope: ExportScope) -> Iterator[Exportable]:
        for table in scope.allocation_tables:
            yield Exportable(self.ident, str(table.pk), " ".join(table.title.split()))


class NoticeKind(ObjectKind[NoticeExport]):
    ident = "notice"
    label = "通知及附件"
    link_label = "通知及附件"
    list_position = 1

    def find(self, user: User | None, pk: int) -> NoticeExport:
        return selectors.notice_export(user, pk)

    def document(self, data: NoticeExport, progress: Progress | None = None) -> Document:
        return notice_document(data)

    def exportables(self, scope: ExportScope) -> Iterator[Exportable]:
        for notice in scope.notices:
            yield Exportable(self.ident, str(notice.pk), f"{notice.doc_number} {notice.title}")


class DepartmentKind(OrganisationYearKind[DepartmentExport]):
    ident = "department"
    label = "部门预算绩效文本"
    link_label = "部门绩效文本"
    list_position = 4
    listed_layouts = DEPARTMENT_LAYOUTS

    def resolve(self, user: User | None, ident: str) -> DepartmentExport:
        return selectors.department_export(user, ident)

    def document(self, data: DepartmentExport, progress: Progress | None = None) -> Document:
        return department_document(data, progress=progress)

    def listed_label(self, table: TargetTable) -> str:
        return f"{table.organisation.name} {table.year}年部门预算绩效文本"


class SummaryKind(OrganisationYearKind[SummaryExport]):
    ident = "summary"
    label = "专项资金汇总表"
    link_label = "专项资金汇总表"
    list_position = 5
    listed_layouts = (TargetTable.Layout.SPECIAL_FUND,)

    def resolve(self, user: User | None, ident: str) -> SummaryExport:
        return selectors.summary_export(user, ident)

    def document(self, data: SummaryExport, progress: Progress | None = None) -> Document:
        return summary_document(data)

    def listed_label(self, table: TargetTable) -> str:
        return f"{table.organisation.name} {table.year}年专项资金绩效目标汇总"


# In the order of ExportJob.kind's choices.
KINDS: dict[str, ExportKind] = {
    kind.ident: kind
    for kind in (TargetKind(), AllocationKind(), NoticeKind(), DepartmentKind(), SummaryKind())
}
KIND_CHOICES = [(kind.ident, kind.label) for kind in KINDS.values()]


def export_kind(kind: str) -> ExportKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404("未知的导出类型。") from None


def resolve(kind: str, ident: str, user: User | None) -> Any:
    """The export data of one object, or Http404."""
    return export_kind(kind).resolve(user, ident)


def build_document(kind: str, data: Any, progress: Progress | None = None) -> Document:
    """The Document of data `resolve` returned for the same kind."""
    return export_kind(kind).document(data, progress)


def exportable_objects(user: User | None = None) -> list[Exportable]:
    """Everything the user (or, with None, the operator) can export, with its identifier."""
    scope = ExportScope(user)
    listed = sorted(KINDS.values(), key=lambda kind: kind.list_position)
    return [item for kind in listed for item in kind.exportables(scope)]
