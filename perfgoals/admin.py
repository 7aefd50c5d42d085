from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import PerformanceIndicator
from perfgoals import spreadsheets, userimport
from perfgoals.accounts.forms import AdminLoginForm
from perfgoals.audit import audit_record
from perfgoals.exports.models import ExportJob
from perfgoals.models import (
    AuditEvent,
    Office,
    Organisation,
    Region,
    ReviewComment,
    ReviewEvent,
    ReviewOpinion,
    SpecialFundSummary,
    SpecialFundSummaryRow,
    TableSnapshot,
    TargetTable,
    User,
)

admin.site.site_header = _("预算绩效目标管理系统")
admin.site.site_title = _("绩效目标管理")
admin.site.index_title = _("数据管理")
# The admin login asks for the 动态验证码 too (perfgoals/accounts/), as the app login does.
admin.site.login_form = AdminLoginForm
admin.site.login_template = "admin/perfgoals_login.html"


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "code"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "unit_code"]
    list_filter = ["kind", "region__level"]
    search_fields = ["name", "short_name", "unit_code", "region__name"]
    list_select_related = ["region"]
    # Searched rather than listed: a province has hundreds of regions.
    autocomplete_fields = ["region"]
    inlines = [OfficeInline]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "document_prefix"]
    list_filter = ["kind", "organisation__kind"]
    search_fields = ["name", "document_prefix", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


# Django stores a permission's name in English when it creates it ("Can add 通知"): named here
# in Chinese from its action and its model's name, on the user and group forms.
PERMISSION_ACTIONS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def permission_label(permission: Permission) -> str:
    content_type = permission.content_type
    model = content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    name = permission.name
    if model is not None and action in PERMISSION_ACTIONS:
        subject = str(model._meta.verbose_name)
        if subject.startswith("historical "):
            subject = f"{subject.removeprefix('historical ')}（修改记录）"
        name = f"可{PERMISSION_ACTIONS[action]}{subject}"
    try:
        app = apps.get_app_config(content_type.app_label).verbose_name
    except LookupError:
        app = content_type.app_label
    return f"{app} | {name}"


class ChinesePermissionsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "permissions" and field is not None:
            field.label_from_instance = permission_label
        return field


@admin.register(User)
class UserAdmin(ChinesePermissionsMixin, BaseUserAdmin):
    list_display = ["username", "__str__", "organisation", "office", "role", "phone", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind", "organisation__region__level"]
    search_fields = [
        "username",
        "first_name",
        "last_name",
        "phone",
        "organisation__name",
        "office__name",
    ]
    list_select_related = ["organisation", "office__organisation"]
    autocomplete_fields = ["organisation", "office"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("所属单位与角色"), {"fields": ["organisation", "office", "role", "phone"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("所属单位与角色"), {"fields": ["organisation", "office", "role"]}),
    )
    change_list_template = "admin/perfgoals/user/change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="perfgoals_user_import",
            ),
            *super().get_urls(),
        ]

    def may_import(self, request) -> bool:
        user = request.user
        return self.has_add_permission(request) and (
            user.is_superuser or user.role == User.Role.ADMINISTRATOR
        )

    def import_view(self, request):
        """批量导入用户: upload, preview with every row's problems, then save all or none."""
        if not self.may_import(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "批量导入用户",
            "columns": ",".join(userimport.COLUMNS),
            "roles": "、".join(userimport.IMPORTABLE_ROLES),
            "max_rows": userimport.MAX_ROWS,
        }
        form = UserImportForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["content"]
            try:
                if "confirm" in request.POST and text:
                    created = userimport.create_users(
                        text, generate_passwords=form.cleaned_data["passwords"] == "generate"
                    )
                    # Rendered, not redirected: generated passwords are shown this once
                    # and stored nowhere else.
                    return render(
                        request,
                        "admin/perfgoals/user/import_done.html",
                        {**context, "created": created},
                    )
                preview = (
                    userimport.parse_users(form.cleaned_data["file"].read())
                    if form.cleaned_data["file"]
                    else userimport.parse_user_text(text)
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                context["preview"] = preview
                form = UserImportForm(
                    initial={
                        "content": preview.text,
                        "passwords": form.cleaned_data["passwords"],
                    }
                )
                status = 200 if preview.can_save else 400
        elif request.method == "POST":
            status = 400
        context["form"] = form
        return render(request, "admin/perfgoals/user/import.html", context, status=status)


class UserImportForm(forms.Form):
    file = forms.FileField(label="CSV 文件", required=False)
    # The decoded file, carried from the preview to the confirmation and checked again there.
    content = forms.CharField(required=False, widget=forms.HiddenInput)
    passwords = forms.ChoiceField(
        label="密码",
        choices=[
            ("unusable", "不设密码（用户暂不能登录，由管理员逐个设置）"),
            ("generate", "生成随机密码（导入后仅显示一次）"),
        ],
        initial="unusable",
        widget=forms.RadioSelect,
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("content"):
            raise ValidationError("请选择要上传的 CSV 文件。")
        return data


class PerformanceIndicatorInline(admin.TabularInline):
    model = PerformanceIndicator
    extra = 0
    fields = ["position", "level", "parent", "name", "value_text", "description", "basis"]
    raw_id_fields = ["parent"]
    ordering = ["position"]


class ReviewOpinionInline(admin.TabularInline):
    model = ReviewOpinion
    extra = 0
    fields = ["office_kind", "grade", "text", "author"]


@admin.register(TargetTable)
class TargetTableAdmin(SimpleHistoryAdmin):
    list_display = [
        "project_name",
        "layout",
        "organisation",
        "year",
        "amount_total",
        "amount_unit",
        "status",
    ]
    list_filter = ["layout", "status", "year", "organisation"]
    search_fields = ["project_name", "project_code", "title"]
    list_select_related = ["organisation"]
    raw_id_fields = ["notice", "source_table"]
    # The state moves only through the review services (perfgoals.targets.review), which
    # record who moved it and freeze the approved version.
    readonly_fields = [
        "status",
        "approved_snapshot",
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    ]
    inlines = [PerformanceIndicatorInline, ReviewOpinionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "layout",
                    "organisation",
                    "year",
                    "framework",
                    "notice",
                    "source_table",
                    "sequence",
                    "title",
                    "status",
                ]
            },
        ),
        (
            _("项目信息"),
            {
                "fields": [
                    "project_name",
                    "project_code",
                    "contact",
                    "competent_department",
                    "implementing_unit",
                    "finance_department",
                    "spending_direction",
                    "implementation_period",
                ]
            },
        ),
        (
            _("资金情况"),
            {
                "fields": [
                    "amount_unit",
                    "amount_total",
                    "amount_fiscal",
                    "amount_other",
                    "basic_expenditure",
                    "project_expenditure",
                    "fund_purpose",
                ]
            },
        ),
        (
            _("资金支出计划（%）"),
            {
                "fields": [
                    "spend_by_mar",
                    "spend_by_jun",
                    "spend_by_oct",
                    "spend_by_dec",
                ]
            },
        ),
        (
            _("绩效目标"),
            {
                "fields": [
                    "annual_goal",
                    "period_goal",
                    "output_description",
                    "outcome_description",
                    "sub_goals",
                    "safeguards",
                ]
            },
        ),
        (
            _("记录"),
            {"fields": ["version", "created_by", "updated_by", "created_at", "updated_at"]},
        ),
    ]


@admin.register(ReviewOpinion)
class ReviewOpinionAdmin(SimpleHistoryAdmin):
    list_display = ["table", "office_kind", "grade", "author", "created_at"]
    list_filter = ["office_kind", "grade"]
    list_select_related = ["table", "author"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of the review: administrators may read them, nobody edits them here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ["table", "action", "from_status", "to_status", "grade", "actor", "created_at"]
    list_filter = ["action", "grade", "office_kind"]
    list_select_related = ["table", "actor"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyAdmin):
    list_display = ["table", "indicator_label", "author", "created_at"]
    list_select_related = ["table", "author"]


@admin.register(TableSnapshot)
class TableSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["table", "number", "approved_by", "approved_at"]
    list_select_related = ["table", "approved_by"]


# Background exports: the job rows in Chinese. The task backend's own result rows
# (django_tasks_db, English only) are left out of the admin; a job's attempts, worker and
# error are all on its ExportJob.
admin.site.unregister(DBTaskResult)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "object_id",
        "format",
        "status",
        "progress",
        "attempts",
        "requested_by",
        "finished_at",
    )
    list_filter = ("status", "kind", "format")
    search_fields = ("title", "requested_by__username")
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SpecialFundSummaryRowInline(admin.TabularInline):
    model = SpecialFundSummaryRow
    extra = 0


@admin.register(SpecialFundSummary)
class SpecialFundSummaryAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "year"]
    list_filter = ["year"]
    inlines = [SpecialFundSummaryRowInline]


AUDIT_EXPORT = spreadsheets.ListExport(
    headers=["时间", "用户名", "单位", "操作", "结果", "对象类型", "对象编号", "内容", "来源地址"],
    widths=[20, 16, 28, 12, 8, 16, 10, 60, 18],
    title="审计日志",
)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log for administrators: read, filter and export; nobody edits it."""

    list_display = ["at", "username", "organisation", "action", "result", "summary", "address"]
    list_filter = ["action", "result", "organisation", "user", ("at", admin.DateFieldListFilter)]
    search_fields = ["username", "summary", "object_id", "address"]
    date_hierarchy = "at"
    list_select_related = ["organisation"]
    actions = ["export_xlsx"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="导出所选日志（Excel）")
    def export_xlsx(self, request, queryset):
        rows = [
            [
                timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                event.username,
                event.organisation.name if event.organisation else "",
                event.get_action_display(),
                event.get_result_display(),
                event.object_type,
                event.object_id,
                event.summary,
                event.address or "",
            ]
            for event in queryset.select_related("organisation")
        ]
        return spreadsheets.export_response(AUDIT_EXPORT, rows, "xlsx")


# django-otp's admin of TOTP devices, in Chinese: an administrator deletes a lost phone's device
# here (docs/deploy.md); the secret stays hidden (OTP_ADMIN_HIDE_SENSITIVE_DATA).
_TOTP_FIELDSETS = {
    "Identity": "设备",
    "Timestamps": "时间",
    "Configuration": "参数",
    "State": "状态",
    "Throttling": "错误限制",
}


# django-otp names its fields in English without gettext: their labels and help here, on the
# form (a verbose_name changed on the model would be a migration of django-otp's own).
_TOTP_FIELDS = {
    "user": ("用户", "此设备所属的用户。"),
    "name": ("名称", "便于识别此设备的名称。"),
    "confirmed": ("已确认", "设备已由用户输入动态码确认、可以使用。"),
    "key": ("密钥", "十六进制编码的密钥，最长40字节。"),
    "step": ("时间步长", "每个动态码的有效秒数。"),
    "t0": ("起始时间", "开始计算时间步的 Unix 时间。"),
    "digits": ("位数", "动态码的位数。"),
    "tolerance": ("容差", "允许前后偏差的时间步数。"),
    "drift": ("时钟偏差", "手机时钟与服务器相差的时间步数。"),
    "throttling_failure_timestamp": (
        "最近一次失败时间",
        "最近一次验证失败的时间；上次成功则为空。",
    ),
    "throttling_failure_count": ("连续失败次数", "连续验证失败的次数。"),
}


def _titled(filter_class, title: str):
    """`filter_class` headed `title` (a field's filter takes the field's English name)."""

    def __init__(self, *args, **kwargs):
        filter_class.__init__(self, *args, **kwargs)
        self.title = title

    return type(f"Chinese{filter_class.__name__}", (filter_class,), {"__init__": __init__})


class ChineseTOTPDeviceAdmin(TOTPDeviceAdmin):
    search_help_text = "按用户的用户名或电子邮件地址搜索"
    list_display = ["owner", "device_name", "created", "last_used", "is_confirmed"]
    list_filter = [
        ("created_at", _titled(admin.DateFieldListFilter, "创建时间")),
        ("last_used_at", _titled(admin.DateFieldListFilter, "最近使用时间")),
        ("confirmed", _titled(admin.BooleanFieldListFilter, "已确认")),
    ]
    readonly_fields = ["created", "last_used", "qrcode_link"]

    @admin.display(description="用户", ordering="user__username")
    def owner(self, device):
        return device.user

    @admin.display(description="名称", ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description="已确认", boolean=True, ordering="confirmed")
    def is_confirmed(self, device):
        return device.confirmed

    @admin.display(description="创建时间", ordering="created_at")
    def created(self, device):
        return display_for_value(device.created_at, self.get_empty_value_display())

    @admin.display(description="最近使用时间", ordering="last_used_at")
    def last_used(self, device):
        return display_for_value(device.last_used_at, self.get_empty_value_display())

    def get_fieldsets(self, request, obj=None):
        timestamps = {"created_at": "created", "last_used_at": "last_used"}
        return [
            (
                _TOTP_FIELDSETS.get(title, title),
                {**options, "fields": [timestamps.get(f, f) for f in options["fields"]]},
            )
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        for name, (label, help_text) in _TOTP_FIELDS.items():
            if name in form.base_fields:
                form.base_fields[name].label = label
                form.base_fields[name].help_text = help_text
        return form

    # Turning someone's second factor off is in the audit log as when they do it themselves.
    def delete_model(self, request, obj):
        self._record_removal(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._record_removal(request, list(queryset.select_related("user")))
        super().delete_queryset(request, queryset)

    @staticmethod
    def _record_removal(request, devices) -> None:
        for device in devices:
            audit_record(
                action=AuditEvent.Action.OTP_DISABLE,
                request=request,
                summary=f"管理员删除 {device.user.get_username()} 的手机验证器",
            )


class ChineseGroupAdmin(ChinesePermissionsMixin, BaseGroupAdmin):
    pass


admin.site.unregister(Group)
admin.site.register(Group, ChineseGroupAdmin)
admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, ChineseTOTPDeviceAdmin)
