"""Demo data: the five seed documents, transcribed in fixtures/demo/, loaded idempotently.

Each object is looked up by its natural key (发文字号, table identity, code) and created only
when missing, so running the loader twice leaves the database as after the first run.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from allocations.models import (
    AllocationCell,
    AllocationColumn,
    AllocationRow,
    AllocationStandard,
    AllocationTable,
    BudgetLine,
    ClassificationCode,
    FundNotice,
    NoticeAttachment,
    NoticeParagraph,
    NoticeRecipient,
    PolicyDocument,
    PolicyParagraph,
    parse_doc_number,
)
from allocations.services.issuing import notice_attachments_freeze
from indicators.framework import sync_framework
from indicators.library import library_rebuild
from indicators.models import FrameworkCategory, PerformanceIndicator
from indicators.services import indicator_tree_create
from perfgoals.models import (
    Office,
    Organisation,
    Region,
    SpecialFundSummary,
    SpecialFundSummaryRow,
    TargetTable,
    User,
)

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
SEED_FILES = ["seed000.json", "seed001.json", "seed002.json", "seed003.json", "seed004.json"]
DEMO_PASSWORD = "Perfgoals#2026"

TARGET_FIELDS = [
    "title",
    "project_code",
    "contact",
    "competent_department",
    "implementing_unit",
    "finance_department",
    "amount_unit",
    "fund_purpose",
    "annual_goal",
    "period_goal",
    "spending_direction",
    "implementation_period",
    "sequence",
    "output_description",
    "outcome_description",
    "sub_goals",
    "safeguards",
]
TARGET_AMOUNTS = [
    "amount_total",
    "amount_fiscal",
    "amount_other",
    "basic_expenditure",
    "project_expenditure",
]


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def count(self, label: str, created: bool) -> None:
        if created:
            self.created[label] = self.created.get(label, 0) + 1


def _decimal(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _read(name: str) -> dict[str, Any]:
    return json.loads((FIXTURE_DIR / name).read_text(encoding="utf-8"))


class DemoLoader:
    def __init__(self, password: str = DEMO_PASSWORD) -> None:
        self.password = password
        self.report = LoadReport()
        self.notices: dict[str, FundNotice] = {}
        self.standards: dict[str, AllocationStandard] = {}
        self.paragraphs: dict[str, PolicyParagraph] = {}
        self.tables: dict[str, TargetTable | AllocationTable] = {}

    @transaction.atomic
    def load(self) -> LoadReport:
        sync_framework(FrameworkCategory)  # indicators below are placed by these categories
        orgs = _read("organisations.json")
        self.load_organisations(orgs)
        for name in SEED_FILES:
            seed = _read(name)
            self.load_codes(seed.get("classification_codes", []))
            self.load_policy_document(seed.get("policy_document"))
            self.load_standards(seed.get("standards", []))
            self.load_notices(seed.get("notices", []))
            self.load_allocation_tables(seed.get("allocation_tables", []))
            self.load_target_tables(seed.get("target_tables", []))
            self.load_special_fund_summary(seed.get("summary"), seed.get("target_tables", []))
            self.load_attachments(seed.get("notices", []))
            self.link_decomposition(seed.get("decomposition", []))
        self.link_external_notices(orgs.get("external_notices", []))
        self.record_issued_notices()
        self.load_users(orgs["users"])
        library_rebuild()
        return self.report

    def load_organisations(self, data: dict[str, Any]) -> None:
        for item in data["regions"]:
            parent = Region.objects.get(name=item["parent"]) if item["parent"] else None
            _, created = Region.objects.get_or_create(
                name=item["name"],
                parent=parent,
                defaults={"level": item["level"], "code": item["code"]},
            )
            self.report.count("行政区域", created)
        for item in data["organisations"]:
            org, created = Organisation.objects.get_or_create(
                name=item["name"],
                defaults={
                    "kind": item["kind"],
                    "short_name": item.get("short_name", ""),
                    "region": Region.objects.get(name=item["region"]),
                    "unit_code": item["unit_code"],
                },
            )
            self.report.count("单位", created)
            for office in item["offices"]:
                _, created = Office.objects.get_or_create(
                    organisation=org,
                    name=office["name"],
                    defaults={"kind": office["kind"], "document_prefix": office["document_prefix"]},
                )
                self.report.count("股室", created)

    def load_codes(self, codes: list[dict[str, str]]) -> None:
        for item in codes:
            _, created = ClassificationCode.objects.get_or_create(
                scheme=item["scheme"], code=item["code"], defaults={"name": item["name"]}
            )
            self.report.count("收支分类科目", created)

    def load_policy_document(self, item: dict[str, Any] | None) -> None:
        """Seed 003: the policy with every paragraph, numbered as it prints (四（一）1)."""
        if not item:
            return
        document, created = PolicyDocument.objects.get_or_create(
            doc_number=item["doc_number"],
            defaults={
                "title": item["title"],
                "issuer_name": item["issuer_name"],
                "issuer": Organisation.objects.filter(name=item["issuer_name"]).first(),
                "region": Region.objects.get(name=item["region"]),
                "issued_on": _date(item["date"]),
            },
        )
        self.report.count("政策文件", created)
        for position, paragraph in enumerate(item["paragraphs"], 1):
            found, created = PolicyParagraph.objects.get_or_create(
                document=document,
                position=position,
                defaults={
                    "number": paragraph["number"],
                    "heading": paragraph["heading"],
                    "text": paragraph["text"],
                },
            )
            self.report.count("政策条款", created)
            if found.number:
                self.paragraphs[f"{document.doc_number} {found.number}"] = found

    def load_standards(self, standards: list[dict[str, Any]]) -> None:
        for item in standards:
            paragraph = (
                self.paragraphs[f"{item['source_document']} {item['paragraph']}"]
                if item.get("paragraph")
                else None
            )
            standard, created = AllocationStandard.objects.get_or_create(
                name=item["name"],
                source_document=item["source_document"],
                defaults={
                    "paragraph": paragraph,
                    "region": Region.objects.get(name=item["region"]),
                    "source_excerpt": item["source_excerpt"],
                    "base_amount": Decimal(item["base_amount"]),
                    "unit": item["unit"],
                    "is_minimum": item["is_minimum"],
                    "upper_label": item["upper_label"],
                    "upper_share": item["upper_share"],
                    "lower_label": item["lower_label"],
                    "lower_share": item["lower_share"],
                },
            )
            if paragraph is not None and standard.paragraph_id is None:
                # A database loaded before policies were kept: link the standard now.
                standard.paragraph = paragraph
                standard.save(update_fields=["paragraph"])
            self.standards[item["key"]] = standard
            self.report.count("补助标准", created)

    def _notice_by_number(self, doc_number: str) -> FundNotice | None:
        code, year, serial, _ = parse_doc_number(doc_number)
        return FundNotice.objects.filter(issuer_code=code, doc_year=year, doc_serial=serial).first()

    def load_notices(self, notices: list[dict[str, Any]]) -> None:
        for item in notices:
            notice = self._notice_by_number(item["doc_number"])
            if notice is None:
                notice = self._create_notice(item)
                self.report.count("资金下达通知", True)
            self.notices[item["key"]] = notice

    def _create_notice(self, item: dict[str, Any]) -> FundNotice:
        notice = FundNotice(
            is_external=item["external"],
            issuer=Organisation.objects.filter(name=item["issuer"]).first()
            if item["issuer"]
            else None,
            issuer_name=item["issuer_name"],
            year=item["year"],
            title=item["title"],
            parent=self.notices.get(item["parent"]) if item["parent"] else None,
            amount=_decimal(item["amount"]),
            amount_unit=item["amount_unit"],
            paying_account=item["paying_account"],
            copy_to=item["copy_to"],
            signed_date=_date(item["signed_date"]),
            printed_date=_date(item["printed_date"]),
            printed_by=item["printed_by"],
            # Historical notices were issued outside the system under their own numbers.
            status=FundNotice.Status.ISSUED,
        )
        notice.set_doc_number(item["doc_number"])
        notice.full_clean()
        notice.save()
        for position, name in enumerate(item["recipients"], 1):
            NoticeRecipient.objects.create(
                notice=notice, organisation=Organisation.objects.get(name=name), position=position
            )
        for position, paragraph in enumerate(item["paragraphs"], 1):
            NoticeParagraph.objects.create(
                notice=notice,
                position=position,
                text=paragraph["text"],
                numbered=paragraph["numbered"],
            )
        for position, line in enumerate(item["budget_lines"], 1):
            codes = {
                field: ClassificationCode.objects.get(scheme=scheme, code=line[field])
                if line.get(field)
                else None
                for field, scheme in [
                    ("function_code", "function"),
                    ("gov_econ_code", "gov_econ"),
                    ("dept_econ_code", "dept_econ"),
                    ("project_kind_code", "project_kind"),
                ]
            }
            BudgetLine.objects.create(
                notice=notice,
                position=position,
                source=line["source"],
                budget_kind=line["budget_kind"],
                amount=_decimal(line["amount"]),
                unit=line["unit"],
                **codes,
            )
        return notice

    def load_allocation_tables(self, tables: list[dict[str, Any]]) -> None:
        for item in tables:
            notice = self.notices[item["notice"]]
            table = AllocationTable.objects.filter(notice=notice, title=item["title"]).first()
            if table is None:
                table = self._create_allocation_table(notice, item)
                self.report.count("分配表", True)
            self.tables[item["key"]] = table

    def _create_allocation_table(self, notice: FundNotice, item: dict[str, Any]) -> AllocationTable:
        table = AllocationTable.objects.create(
            notice=notice,
            title=item["title"],
            unit=item["unit"],
            recipient_label=item["recipient_label"],
            count_total_label=item["count_total_label"],
            amount_total_label=item["amount_total_label"],
            envelope_amount=_decimal(item["envelope_amount"]),
            envelope_unit=item["envelope_unit"],
        )
        columns = [
            AllocationColumn.objects.create(
                table=table,
                position=position,
                kind=col["kind"],
                label=col["label"],
                standard=self.standards[col["standard"]] if col["standard"] else None,
                share_side=col["share_side"],
                standard_amount=_decimal(col["standard_amount"]),
                count_label=col["count_label"],
                standard_label=col["standard_label"],
                amount_label=col["amount_label"],
            )
            for position, col in enumerate(item["columns"], 1)
        ]
        for position, row_data in enumerate(item["rows"], 1):
            row = AllocationRow.objects.create(
                table=table,
                position=position,
                label=row_data["label"],
                region=Region.objects.filter(name=row_data["region"]).first(),
            )
            for column, cell in zip(columns, row_data["cells"], strict=True):
                AllocationCell.objects.create(
                    row=row, column=column, count=cell["count"], amount=_decimal(cell["amount"])
                )
        return table

    def load_target_tables(self, tables: list[dict[str, Any]]) -> None:
        for item in tables:
            organisation = Organisation.objects.get(name=item["organisation"])
            lookup = {
                "organisation": organisation,
                "year": item["year"],
                "layout": item["layout"],
                "project_name": item["project_name"],
                "project_code": item["project_code"],
                "sequence": item["sequence"],
            }
            table = TargetTable.objects.filter(**lookup).first()
            if table is None:
                table = self._create_target_table(lookup, item)
                self.report.count("绩效目标表", True)
            self.tables[item["key"]] = table

    def _create_target_table(self, lookup: dict[str, Any], item: dict[str, Any]) -> TargetTable:
        table = TargetTable(
            **lookup,
            notice=self.notices.get(item["notice"]) if item["notice"] else None,
            **{name: item[name] for name in TARGET_FIELDS if name not in lookup},
            **{name: _decimal(item[name]) for name in TARGET_AMOUNTS},
            printed_labels=item.get("printed_labels", {}),
        )
        for name, value in zip(
            TargetTable.SPENDING_PLAN_FIELDS, item["spending_plan"], strict=True
        ):
            setattr(table, name, _decimal(value))
        table.full_clean()
        table.save()
        indicator_tree_create(table=table, nodes=item["indicators"])
        return table

    def load_special_fund_summary(
        self, summary: dict[str, Any] | None, tables: list[dict[str, Any]]
    ) -> None:
        """Seed 002 附件3-1, verbatim: its own wording, amounts and order."""
        if not summary or not summary.get("rows"):
            return
        fund = next(t for t in tables if t["layout"] == TargetTable.Layout.SPECIAL_FUND)
        record, created = SpecialFundSummary.objects.get_or_create(
            organisation=Organisation.objects.get(name=fund["organisation"]),
            year=fund["year"],
            defaults={"title": summary["title_summary"], "amount_unit": summary["unit"]},
        )
        self.report.count("汇总表", created)
        if not created:
            return
        SpecialFundSummaryRow.objects.bulk_create(
            SpecialFundSummaryRow(
                summary=record,
                position=row["position"],
                project_name=row["project_name"],
                spending_direction=row["spending_direction"],
                amount=_decimal(row["amount"]),
                period_goal=row["period_goal"],
                annual_goal=row["annual_goal"],
            )
            for row in summary["rows"]
        )

    def load_attachments(self, notices: list[dict[str, Any]]) -> None:
        for item in notices:
            notice = self.notices[item["key"]]
            for position, attachment in enumerate(item["attachments"], 1):
                target = self.tables.get(attachment["table"]) if attachment["table"] else None
                _, created = NoticeAttachment.objects.get_or_create(
                    notice=notice,
                    position=position,
                    defaults={
                        "title": attachment["title"],
                        "allocation_table": target if isinstance(target, AllocationTable) else None,
                        "target_table": target if isinstance(target, TargetTable) else None,
                    },
                )
                self.report.count("附件", created)

    def link_decomposition(self, items: list[dict[str, Any]]) -> None:
        """Seed 000's 瑞丽 table serves the 州 table it was written from: each pair names the
        lower indicator and the upper one it serves (the seed prints them side by side)."""
        for item in items:
            upper, lower = self.tables[item["upper"]], self.tables[item["lower"]]
            upper_rows = {row.name: row for row in PerformanceIndicator.objects.filter(table=upper)}
            for lower_name, upper_name in item["links"]:
                PerformanceIndicator.objects.filter(
                    table=lower, name=lower_name, upper_indicator__isnull=True
                ).update(upper_indicator=upper_rows[upper_name])

    def record_issued_notices(self) -> None:
        """The seeds' notices were issued outside the system: record their attachments as
        loaded, as issuing would have (once: a recorded notice is left alone)."""
        # One filter: the conditions hold for the same attachment (a 附件 with no table in
        # the system, printed as a placeholder, has nothing to record).
        pending = FundNotice.objects.filter(
            Q(attachments__allocation_table__isnull=False)
            | Q(attachments__target_table__isnull=False),
            is_external=False,
            status=FundNotice.Status.ISSUED,
            attachments__snapshot__isnull=True,
        ).distinct()
        for notice in pending:
            notice_attachments_freeze(notice=notice)

    def link_external_notices(self, items: list[dict[str, Any]]) -> None:
        """Seed 004's tables name the provincial notices their money came from."""
        for item in items:
            notice = self._notice_by_number(item["doc_number"])
            if notice is None:
                notice = FundNotice(
                    is_external=True,
                    issuer_name=item["issuer_name"],
                    year=item["year"],
                    title=item["title"],
                    status=FundNotice.Status.ISSUED,
                    issuer=Organisation.objects.filter(name=item["issuer_name"]).first(),
                )
                notice.set_doc_number(item["doc_number"])
                notice.full_clean()
                notice.save()
                self.report.count("资金下达通知", True)
            TargetTable.objects.filter(
                project_code=item["for_table_code"], notice__isnull=True
            ).update(notice=notice)

    def load_users(self, users: list[dict[str, Any]]) -> None:
        for item in users:
            organisation = (
                Organisation.objects.get(name=item["organisation"])
                if item["organisation"]
                else None
            )
            office = (
                Office.objects.get(organisation=organisation, name=item["office"])
                if item["office"]
                else None
            )
            user = User.objects.filter(username=item["username"]).first()
            if user is None:
                is_admin = item["role"] == User.Role.ADMINISTRATOR
                user = User(
                    username=item["username"],
                    first_name=item["name"],
                    organisation=organisation,
                    office=office,
                    role=item["role"],
                    is_staff=is_admin,
                    is_superuser=is_admin,
                )
                user.set_password(self.password)
                user.save()
                self.report.count("用户", True)
            self.report.logins.append(
                (user.username, user.get_role_display(), organisation.name if organisation else "—")
            )


def load_demo(password: str = DEMO_PASSWORD) -> LoadReport:
    """Load the demo; the accounts it creates get `password` (the known one by default, for
    tests and `make run`; `manage.py load_demo` refuses it when DEBUG is off)."""
    return DemoLoader(password).load()
