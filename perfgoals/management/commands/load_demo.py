from django.core.management.base import BaseCommand

from perfgoals.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入五份样例文件的演示数据（可重复执行，已有数据不会重复创建）。"

    def handle(self, *args, **options) -> None:
        report = load_demo()
        if report.created:
            created = "，".join(f"{label} {n}" for label, n in report.created.items())
            self.stdout.write(self.style.SUCCESS(f"已载入演示数据：{created}"))
        else:
            self.stdout.write("演示数据已存在，未做改动。")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, organisation in report.logins:
            self.stdout.write(f"  {username:<18} {role:<12} {organisation}")
