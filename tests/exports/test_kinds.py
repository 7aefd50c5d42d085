import pytest
from django.http import Http404

from perfgoals.exports.kinds import KINDS, exportable_objects, resolve
from perfgoals.exports.models import ExportJob

pytestmark = pytest.mark.django_db


def test_job_kind_choices_are_the_registry():
    field = ExportJob._meta.get_field("kind")
    assert field.choices == [(kind.ident, kind.label) for kind in KINDS.values()]
    assert list(KINDS) == ["target", "allocation", "notice", "department", "summary"]


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
