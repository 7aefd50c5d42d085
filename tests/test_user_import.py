"""Bulk user import from CSV in the admin: encodings, per-row problems, all-or-nothing, access."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from perfgoals import userimport
from perfgoals.models import User

pytestmark = pytest.mark.django_db

HEADER = "用户名,姓名,单位,股室,角色,电话"
GOOD = [
    "ruili_health2,李明,瑞丽市卫生健康局,,业务单位经办人,0692-4141234",
    "ruili_finance2,王芳,瑞丽市财政局,社保股,财政业务股室,",
    "ruili_perf2,赵强,瑞丽市财政局,绩效股,财政绩效股审核人,13800000000",
]
URL = "admin:perfgoals_user_import"


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


# --- the parser ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        csv_text(*GOOD).encode("utf-8"),
        csv_text(*GOOD).encode("utf-8-sig"),  # Excel's "CSV UTF-8" writes a BOM
        csv_text(*GOOD).encode("gbk"),  # Excel and WPS on Chinese Windows
    ],
    ids=["utf-8", "utf-8-bom", "gbk"],
)
def test_utf8_bom_and_gbk_files_read_the_same(demo, raw):
    preview = userimport.parse_users(raw)
    assert preview.can_save
    rows = [(r.line, r.username, r.name, r.organisation.name, r.role) for r in preview.rows]
    assert rows == [
        (2, "ruili_health2", "李明", "瑞丽市卫生健康局", "bureau_staff"),
        (3, "ruili_finance2", "王芳", "瑞丽市财政局", "finance_staff"),
        (4, "ruili_perf2", "赵强", "瑞丽市财政局", "performance_reviewer"),
    ]
    assert preview.rows[1].office.name == "社保股"
    assert preview.rows[0].office is None
    assert preview.rows[2].phone == "13800000000"


def test_columns_may_come_in_any_order_with_spaces_and_blank_lines(demo):
    text = (
        "角色, 用户名 ,姓名,电话,股室,单位,备注\n\n"
        "业务单位经办人,new_a,甲,,,瑞丽市卫生健康局,x\n,,,,,,\n"
    )
    preview = userimport.parse_user_text(text)
    assert [(r.line, r.username, r.role) for r in preview.rows] == [(3, "new_a", "bureau_staff")]
    assert preview.can_save


def test_undecodable_bytes_are_refused_with_advice():
    with pytest.raises(ValidationError, match="无法识别文件编码"):
        userimport.decode_csv(b"\xff\xfe\x00\x00\x81\x30")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "文件是空的"),
        ("用户名,姓名,单位\nx,y,z\n", "第1行缺少列：股室、角色、电话"),
    ],
)
def test_a_file_that_is_not_a_user_list_is_refused(demo, text, message):
    with pytest.raises(ValidationError, match=message):
        userimport.parse_user_text(text)


def test_too_many_rows_or_bytes_are_refused(demo, monkeypatch):
    monkeypatch.setattr(userimport, "MAX_ROWS", 2)
    with pytest.raises(ValidationError, match="一次最多导入 2 个用户"):
        userimport.parse_user_text(csv_text(*GOOD))
    with pytest.raises(ValidationError, match="文件过大"):
        userimport.decode_csv(b"a" * (userimport.MAX_BYTES + 1))


def test_every_bad_row_is_named_with_its_problems(demo):
    preview = userimport.parse_user_text(
        csv_text(
            "ruili_health,重名,瑞丽市卫生健康局,,业务单位经办人,",  # exists already
            "new_b,乙,瑞丽市不存在局,,业务单位经办人,",
            "new_c,丙,瑞丽市财政局,办公室,财政业务股室,",
            "new_d,丁,瑞丽市卫生健康局,,经办人,",
            "New_B,戊,瑞丽市卫生健康局,,业务单位经办人,",
            "new_f,,瑞丽市卫生健康局,,系统管理员,",
            "new g,己,瑞丽市卫生健康局,,财政业务股室,",
            "ok_row,庚,瑞丽市卫生健康局,,业务单位经办人,",
        )
    )
    problems = {row.line: row.errors for row in preview.rows}
    assert problems[2] == ["用户名“ruili_health”已存在。"]
    assert problems[3] == ["单位“瑞丽市不存在局”不存在，请先在“单位”中添加。"]
    assert problems[4] == ["瑞丽市财政局没有股室“办公室”。"]
    assert problems[5] == [
        "角色“经办人”不存在，应为：业务单位经办人、财政业务股室、财政绩效股审核人。"
    ]
    assert problems[6] == ["用户名“New_B”与第3行重复。"]
    assert problems[7] == ["姓名为空。", "系统管理员不能批量导入，请在用户页面逐个添加。"]
    assert problems[8] == [
        "用户名“new g”只能由字母、数字和 @ . + - _ 组成。",
        "角色“财政业务股室”须属于财政局，瑞丽市卫生健康局不是财政局。",
    ]
    assert problems[9] == []
    assert preview.error_count == 7 and not preview.can_save


# --- saving ---------------------------------------------------------------------------------


def test_all_rows_are_created_with_unusable_passwords(demo):
    created = userimport.create_users(csv_text(*GOOD), generate_passwords=False)
    assert [(u.username, p) for u, p in created] == [
        ("ruili_health2", ""),
        ("ruili_finance2", ""),
        ("ruili_perf2", ""),
    ]
    user = User.objects.get(username="ruili_finance2")
    assert (str(user), user.organisation.name, user.office.name, user.role) == (
        "王芳",
        "瑞丽市财政局",
        "社保股",
        "finance_staff",
    )
    assert not user.has_usable_password() and not user.is_staff


def test_generated_passwords_work_and_differ(demo):
    created = userimport.create_users(csv_text(*GOOD), generate_passwords=True)
    passwords = [p for _, p in created]
    assert len(set(passwords)) == 3 and all(len(p) == 12 for p in passwords)
    for user, password in created:
        assert User.objects.get(pk=user.pk).check_password(password)


def test_one_bad_row_saves_nothing(demo):
    before = User.objects.count()
    with pytest.raises(ValidationError, match="有 1 行有问题，未导入任何用户"):
        userimport.create_users(
            csv_text(*GOOD, "x,y,无此单位,,业务单位经办人,"), generate_passwords=True
        )
    assert User.objects.count() == before


def test_a_clash_at_save_time_rolls_everything_back(demo, monkeypatch):
    before = User.objects.count()
    real_save = User.save

    def save_then_clash(self, *args, **kwargs):
        if self.username == "ruili_perf2":
            clash = User(
                username="ruili_perf2", role="bureau_staff", organisation=self.organisation
            )
            real_save(clash)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(User, "save", save_then_clash)
    with pytest.raises(ValidationError, match="未导入任何用户"):
        userimport.create_users(csv_text(*GOOD), generate_passwords=False)
    assert User.objects.count() == before


# --- the admin page ----------------------------------------------------------------------------


def upload(client, content: bytes, **extra):
    return client.post(
        reverse(URL),
        {
            "file": SimpleUploadedFile("users.csv", content, "text/csv"),
            "passwords": "generate",
            **extra,
        },
    )


def test_administrator_previews_then_confirms(client, login):
    login("admin")
    changelist = client.get(reverse("admin:perfgoals_user_changelist"))
    assert "从 CSV 批量导入" in changelist.content.decode()
    assert client.get(reverse(URL)).status_code == 200

    preview = upload(client, csv_text(*GOOD).encode("gbk"))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "预览：共 3 行" in html and "确认导入 3 个用户" in html
    assert not User.objects.filter(username="ruili_health2").exists()  # nothing saved yet

    done = client.post(
        reverse(URL),
        {
            "content": preview.context["form"].initial["content"],
            "passwords": "generate",
            "confirm": "1",
        },
    )
    assert done.status_code == 200
    html = done.content.decode()
    assert "已导入 3 个用户" in html and "初始密码只在本页显示这一次" in html
    for user, password in done.context["created"]:
        assert password in html
        assert User.objects.get(pk=user.pk).check_password(password)


def test_a_preview_with_problems_offers_no_confirmation(client, login):
    login("admin")
    response = upload(client, csv_text(GOOD[0], GOOD[0]).encode())
    assert response.status_code == 400
    html = response.content.decode()
    assert "1 行有问题" in html and "与第2行重复" in html
    assert 'name="confirm"' not in html


def test_a_confirmation_is_checked_again(client, login):
    login("admin")
    text = csv_text(*GOOD)
    User.objects.create(
        username="ruili_perf2",
        role="bureau_staff",
        organisation=User.objects.get(username="ruili_health").organisation,
    )
    response = client.post(reverse(URL), {"content": text, "passwords": "unusable", "confirm": "1"})
    assert response.status_code == 400
    assert "未导入任何用户" in response.content.decode()
    assert not User.objects.filter(username="ruili_health2").exists()


@pytest.mark.parametrize("username", ["ruili_health", "ruili_finance", "ruili_perf"])
def test_other_roles_are_sent_to_the_admin_login(client, login, username):
    login(username)
    response = client.get(reverse(URL))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert upload(client, csv_text(*GOOD).encode()).status_code == 302


def test_staff_who_are_not_administrators_are_refused(client, login):
    # Staff status with the permission to add users is not enough: the import is the
    # administrators' alone.
    user = login("ruili_finance")
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="add_user"))
    assert client.get(reverse(URL)).status_code == 403
    assert upload(client, csv_text(*GOOD).encode()).status_code == 403
    assert not User.objects.filter(username="ruili_health2").exists()
