"""A table prints its own document's labels where they differ from its layout's (issue 14
item 6): seed 001 项目负责人及电话 beside seed 000 项目负责人及联系电话, a transfer table's
departments named by its level (州级, 省级 …); kept through import, copy and the read view."""

import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from perfgoals.exports.kinds import build_document, resolve
from perfgoals.exports.pdf import render_pdf
from perfgoals.exports.xlsx import render_xlsx
from perfgoals.layouts import Layout, level_word, printed_label
from perfgoals.models import Region, TargetTable
from perfgoals.targets.creation import target_table_create
from perfgoals.targets.imports.services import parse_upload, preview_tables
from tests.exports.helpers import pdf_text
from tests.exports.seed_text import cells_between
from tests.factories import OrganisationFactory, TargetTableFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def document(table):
    return build_document("target", resolve("target", str(table.pk), None))


def xlsx_texts(table) -> set[str]:
    ws = load_workbook(BytesIO(render_xlsx(document(table)))).active
    return {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}


def seed_label(number: int, start: str, prefix: str) -> str:
    """The label cell of the seed's table that begins with `prefix`, as the seed prints it."""
    return next(cell for cell in cells_between(number, start) if cell.startswith(prefix))


def seed_table(project_name: str) -> TargetTable:
    return TargetTable.objects.get(layout=Layout.PROJECT, project_name=project_name)


@pytest.mark.parametrize(
    ("seed", "start", "project"),
    [
        (0, "附件3：", "2020年建档立卡贫困人口家庭医生签约服务个人缴费省级补助资金"),
        (1, "附件3:", "2020年中央财政医疗救助补助资金（第二批）"),
    ],
)
def test_each_project_table_prints_its_own_contact_label(demo, seed, start, project):
    want = seed_label(seed, start, "项目负责人")
    other = {"项目负责人及联系电话", "项目负责人及电话"} - {want}
    table = seed_table(project)
    texts = xlsx_texts(table)
    assert want in texts and not other & texts
    pdf = pdf_text(render_pdf(document(table)))
    assert want in pdf and not any(label in pdf for label in other)


def test_seed_000_transfer_table_names_its_level(demo):
    table = TargetTable.objects.get(layout=Layout.TRANSFER)
    cells = cells_between(0, "附件2：", "附件3：")
    want = {cell for cell in cells if cell.startswith("州级")}
    assert want == {"州级财政部门", "州级主管部门"}
    assert want <= xlsx_texts(table)
    assert all(label in pdf_text(render_pdf(document(table))) for label in want)


@pytest.mark.parametrize(
    ("level", "name", "word"),
    [(1, "云南省", "省级"), (2, "德宏州", "州级"), (2, "三门峡市", "市级"), (3, "顺平县", "县级")],
)
def test_a_transfer_table_names_the_level_of_its_region(level, name, word):
    province = Region.objects.create(name="省" if level > 1 else name, level=1)
    region = province
    if level > 1:
        region = Region.objects.create(name=name if level == 2 else "市", level=2, parent=province)
    if level > 2:
        region = Region.objects.create(name=name, level=3, parent=region)
    table = TargetTableFactory(
        layout=Layout.TRANSFER, organisation=OrganisationFactory(region=region)
    )
    assert level_word(region) == word
    assert printed_label(table, "finance_department") == f"{word}财政部门"
    assert printed_label(table, "competent_department") == f"{word}主管部门"
    # The table's own wording wins over the level.
    table.printed_labels = {"competent_department": "主管部门"}
    assert printed_label(table, "competent_department") == "主管部门"


def test_the_read_view_prints_the_tables_own_label(client, demo):
    table = seed_table("2020年中央财政医疗救助补助资金（第二批）")
    client.force_login(UserFactory(organisation=table.organisation))
    page = client.get(reverse("tables:detail", args=[table.pk])).content.decode()
    assert "项目负责人及电话" in page and "项目负责人及联系电话" not in page


def _workbook(contact_label: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    rows = [
        ["2024年度项目支出绩效目标表"],
        ["项目名称", "校舍安全改造", None, contact_label, "王五 13800000000"],
        ["主管部门", "某县教育局", None, "实施单位", "某县教育局"],
        ["年度资金总额", 10],
        ["年度目标", "完成改造"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "改造面积", "≥2000㎡"],
    ]
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("label", "kept"),
    [
        ("项目负责人及电话", {"contact": "项目负责人及电话"}),
        ("项目负责人", {"contact": "项目负责人"}),
        ("项目负责人及联系电话", {}),  # the layout's own wording: nothing to keep
        (" *项目负责人及联系电话：", {}),
    ],
)
def test_an_import_keeps_the_label_its_workbook_prints(label, kept):
    organisation = OrganisationFactory()
    [preview] = preview_tables(parse_upload(_workbook(label)), organisation=organisation)
    assert preview.table.contact == "王五 13800000000"
    assert preview.table.printed_labels == kept


def test_a_copy_keeps_the_tables_own_labels(demo):
    source = seed_table("2020年中央财政医疗救助补助资金（第二批）")
    user = UserFactory(organisation=source.organisation)
    copy = target_table_create(
        user=user,
        layout=source.layout,
        year=2021,
        project_name=source.project_name,
        header={},
        copy_from_id=source.pk,
    )
    assert copy.printed_labels == {"contact": "项目负责人及电话"}


def test_the_demo_fixtures_pass_their_structural_check():
    done = subprocess.run(
        [sys.executable, str(ROOT / "fixtures" / "demo" / "check_fixtures.py")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
