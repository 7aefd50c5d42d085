import pytest
from django.http import Http404

from perfgoals.exports.kinds import KINDS, exportable_objects, resolve
from perfgoals.exports.models import ExportJob
from perfgoals.exports.templatetags.exports_tags import export_links
from perfgoals.models import TargetTable
from tests.factories import TargetTableFactory

pytestmark = pytest.mark.django_db


def test_job_kind_choices_come_from_the_registry_unchanged():
    # The stored choices: a kind added or renamed in the registry needs a migration.
    assert ExportJob._meta.get_field("kind").choices == [
        ("target", "绩效目标表"),
        ("allocation", "分配表"),
        ("notice", "通知及附件"),
        ("department", "部门预算绩效文本"),
        ("summary", "专项资金汇总表"),
    ]


@pytest.mark.parametrize(
    ("kind", "label", "background"),
    [
        ("target", "", False),
        ("allocation", "", False),
        ("notice", "通知及附件", False),
        ("department", "部门绩效文本", True),
        ("summary", "专项资金汇总表", True),
    ],
)
def test_export_links_name_the_kind_and_queue_the_big_ones(kind, label, background):
    links = export_links(kind, "11-2020" if background else 7)
    assert (links["label"], links["background"], links["ident"]) == (
        label,
        background,
        "11-2020" if background else "7",
    )


def test_a_department_year_is_listed_from_its_project_tables_alone():
    table = TargetTableFactory(layout=TargetTable.Layout.DEPT_PROJECT, year=2024)
    ident = f"{table.organisation_id}-2024"
    listed = {(item.kind, item.ident) for item in exportable_objects(None)}
    assert ("department", ident) in listed
    assert ("summary", ident) not in listed


def test_an_unknown_kind_or_identifier_is_not_found():
    with pytest.raises(Http404):
        resolve("budget", "1", None)
    with pytest.raises(Http404):
        resolve("target", "x", None)
    with pytest.raises(Http404):
        resolve("department", "11", None)


def test_the_operator_can_export_every_kind_listed_in_list_order(demo):
    listed = [item.kind for item in exportable_objects(None)]
    kinds = list(dict.fromkeys(listed))
    assert kinds == ["notice", "allocation", "target", "department", "summary"]
    assert listed == sorted(listed, key=kinds.index)
    for kind in kinds:
        item = next(i for i in exportable_objects(None) if i.kind == kind)
        assert KINDS[kind].document(resolve(kind, item.ident, None)).parts
