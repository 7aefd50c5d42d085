"""「添加科目」: finance staff add a missing classification code where the notice form needs it.

The service checks the official format and duplicates and records who added the code; the
notice form adds it without losing anything typed, with and without JavaScript.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from allocations.models import ClassificationCode
from allocations.services.codes import classification_code_add
from perfgoals.models import User
from tests.allocations.test_views import draft_post, text_of

pytestmark = pytest.mark.django_db

NEW_FUNCTION = "2100499"  # 公共卫生 其他 is not in the demo's code table


def user(username: str) -> User:
    return User.objects.get(username=username)


# --- service ---------------------------------------------------------------------------------


def test_finance_staff_add_a_code_and_the_history_names_them(demo):
    finance = user("ruili_finance")
    added = classification_code_add(
        user=finance, scheme="function", code=" 2100499 ", name=" 其他公共卫生支出 "
    )
    assert (added.scheme, added.code, added.name, added.is_active) == (
        "function",
        NEW_FUNCTION,
        "其他公共卫生支出",
        True,
    )
    record = added.history.get()
    assert record.history_type == "+"
    assert record.history_user == finance


def test_performance_reviewer_may_add_a_code(demo):
    added = classification_code_add(
        user=user("ruili_perf"), scheme="gov_econ", code="599", name="其他支出"
    )
    assert added.history.get().history_user.username == "ruili_perf"


@pytest.mark.parametrize("username", ["ruili_health", "ruili_medsec"])
def test_bureau_staff_may_not_add_a_code(demo, username):
    with pytest.raises(PermissionDenied):
        classification_code_add(user=user(username), scheme="function", code=NEW_FUNCTION, name="x")
    assert not ClassificationCode.objects.filter(code=NEW_FUNCTION).exists()


@pytest.mark.parametrize(
    ("scheme", "code", "name", "field", "message"),
    [
        ("function", "", "其他", "code", "请填写科目编码"),
        ("function", "21004a9", "其他", "code", "只能是数字"),
        (
            "function",
            "210049",
            "其他",
            "code",
            "支出功能分类科目的编码应为3或5或7位数字，“210049”是6位",
        ),
        ("function", "21004999", "其他", "code", "应为3或5或7位"),
        ("gov_econ", "5021", "其他", "code", "政府预算支出经济分类的编码应为3或5位数字"),
        ("dept_econ", "3020199", "其他", "code", "部门预算支出经济分类的编码应为3或5位数字"),
        ("project_kind", "130", "其他", "code", "项目分类的编码应为1或2位数字"),
        ("function", NEW_FUNCTION, "  ", "name", "请填写科目名称"),
        ("function", NEW_FUNCTION, "名" * 101, "name", "科目名称过长"),
        ("nonsense", NEW_FUNCTION, "其他", "scheme", "请选择分类体系"),
    ],
)
def test_a_malformed_code_is_refused_and_nothing_is_saved(demo, scheme, code, name, field, message):
    before = ClassificationCode.objects.count()
    with pytest.raises(ValidationError) as caught:
        classification_code_add(user=user("ruili_finance"), scheme=scheme, code=code, name=name)
    assert message in " ".join(caught.value.message_dict[field])
    assert ClassificationCode.objects.count() == before


def test_full_width_digits_are_read_as_digits(demo):
    added = classification_code_add(
        user=user("ruili_finance"),
        scheme="function",
        code="２１００４９９",
        name="其他公共卫生支出",
    )
    assert added.code == NEW_FUNCTION


def test_a_duplicate_code_is_refused_naming_the_one_already_there(demo):
    existing = ClassificationCode.objects.get(scheme="function", code="2100399")
    with pytest.raises(ValidationError) as caught:
        classification_code_add(
            user=user("ruili_finance"), scheme="function", code="2100399", name="别名"
        )
    assert caught.value.message_dict["code"] == [
        f"支出功能分类科目中已有编码 2100399 {existing.name}，无需再添加。"
    ]
    # The same digits in another scheme are another code.
    classification_code_add(user=user("ruili_finance"), scheme="dept_econ", code="21003", name="x")


def test_a_duplicate_of_a_retired_code_says_it_is_retired(demo):
    ClassificationCode.objects.filter(scheme="function", code="2100399").update(is_active=False)
    with pytest.raises(ValidationError) as caught:
        classification_code_add(
            user=user("ruili_finance"), scheme="function", code="2100399", name="x"
        )
    assert "已停用" in caught.value.message_dict["code"][0]


# --- the notice form ---------------------------------------------------------------------------


def add_code_post(**overrides) -> dict:
    data = draft_post(
        **{
            "line-0-function_code": "",
            "newcode-scheme": "function",
            "newcode-code": NEW_FUNCTION,
            "newcode-name": "其他公共卫生支出",
            "newcode-line": "0",
            "add_code": "1",
            "title": "（还在写的标题）",
            "copy_to": "州财政局",
        }
    )
    data.update(overrides)
    return data


def test_the_form_offers_add_code_instead_of_asking_an_administrator(client, login):
    login("ruili_finance")
    response = client.post(
        reverse("allocations:notice_create"), draft_post(**{"line-0-function_code": NEW_FUNCTION})
    )
    assert response.status_code == 400
    text = text_of(response)
    assert f"没有支出功能分类科目编码“{NEW_FUNCTION}”；请核对，或用下方「添加科目」添加" in text
    assert "管理员" not in text
    assert 'name="newcode-code"' in response.content.decode()


def test_without_javascript_the_code_is_added_into_its_line_and_the_typing_kept(client, login):
    login("ruili_finance")
    response = client.post(reverse("allocations:notice_create"), add_code_post())
    assert response.status_code == 200
    form = response.context["form"]
    lines = response.context["lines"]
    # Everything typed comes back as typed, with no errors for what is not finished.
    assert form["title"].value() == "（还在写的标题）"
    assert form["copy_to"].value() == "州财政局"
    assert lines.forms[0]["source"].value() == "省级补助资金"
    assert lines.forms[0]["function_code"].value() == NEW_FUNCTION
    assert lines.forms[0]["gov_econ_code"].value() == "502"
    html = response.content.decode()
    assert 'value="（还在写的标题）"' in html
    assert 'role="alert"' not in html
    assert "已添加支出功能分类科目 2100499 其他公共卫生支出，已填入支出功能分类科目" in text_of(
        response
    )
    assert f'<option value="{NEW_FUNCTION}">' in html  # in the scheme's list from now on
    # Nothing but the code was saved: the notice is still to be saved by the user.
    assert ClassificationCode.objects.filter(scheme="function", code=NEW_FUNCTION).exists()
    assert response.context["notice"] is None

    # Saving the same page now creates the notice with the new code.
    saved = client.post(
        reverse("allocations:notice_create"),
        draft_post(**{"line-0-function_code": NEW_FUNCTION, "title": "（还在写的标题）"}),
    )
    assert saved.status_code == 302


def test_with_htmx_only_the_panel_the_filled_input_and_the_list_come_back(client, login):
    login("ruili_finance")
    response = client.post(
        reverse("allocations:notice_create"), add_code_post(), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<details id="code-panel"')
    assert "<form" not in html and 'name="title"' not in html
    assert 'id="id_line-0-function_code"' in html and 'hx-swap-oob="true"' in html
    assert f'value="{NEW_FUNCTION}"' in html
    assert '<datalist id="codes-function" hx-swap-oob="true">' in html


def test_a_refused_code_is_explained_in_the_panel_and_the_typing_kept(client, login):
    login("ruili_finance")
    response = client.post(
        reverse("allocations:notice_create"),
        add_code_post(**{"newcode-code": "2100399", "line-0-function_code": "2100399"}),
    )
    assert response.status_code == 400
    assert "已有编码 2100399" in text_of(response)
    assert response.context["form"]["title"].value() == "（还在写的标题）"
    assert response.context["lines"].forms[0]["function_code"].value() == "2100399"


def test_editing_a_draft_adds_a_code_into_its_line(client, login, seed000_draft):
    login("ruili_finance")
    url = reverse("allocations:notice_edit", args=[seed000_draft.pk])
    data = add_code_post(
        **{
            "version": str(seed000_draft.version),
            "newcode-scheme": "gov_econ",
            "newcode-code": "599",
            "newcode-name": "其他支出",
            "line-INITIAL_FORMS": "1",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["lines"].forms[0]["gov_econ_code"].value() == "599"


def test_bureau_staff_cannot_reach_add_code(client, login):
    login("ruili_health")
    response = client.post(reverse("allocations:notice_create"), add_code_post())
    assert response.status_code == 404
    assert not ClassificationCode.objects.filter(code=NEW_FUNCTION).exists()
