import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from perfgoals.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入五份样例文件的演示数据（可重复执行，已有数据不会重复创建）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            help="新建演示账号的密码；DEBUG 关闭时不能用公开的演示密码，省略则随机生成。",
        )

    def handle(self, *args, password: str | None = None, **options) -> None:
        password = self._password(password)
        report = load_demo(password=password)
        if report.created:
            created = "，".join(f"{label} {n}" for label, n in report.created.items())
            self.stdout.write(self.style.SUCCESS(f"已载入演示数据：{created}"))
        else:
            self.stdout.write("演示数据已存在，未做改动。")
        if report.created.get("用户"):
            self.stdout.write(f"新建演示账号的密码均为 {password}：")
        else:
            self.stdout.write("演示账号（沿用已有密码）：")
        for username, role, organisation in report.logins:
            self.stdout.write(f"  {username:<18} {role:<12} {organisation}")

    def _password(self, password: str | None) -> str:
        """The known demo password only on a development run (DEBUG on): anywhere else it
        would be a published administrator password."""
        if password is None:
            return DEMO_PASSWORD if settings.DEBUG else secrets.token_urlsafe(12) + "#9a"
        if password == DEMO_PASSWORD and not settings.DEBUG:
            raise CommandError(
                "DEBUG 关闭时不能使用公开的演示密码；请另设 --password 或省略以随机生成。"
            )
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        return password
