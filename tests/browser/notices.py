"""Filling the notice form in the browser as seed 000 has it."""

SEED_000_LINE = {
    "source": "省级补助资金",
    "amount": "3.88",
    "function_code": "2100399",
    "gov_econ_code": "502",
    "dept_econ_code": "302",
    "project_kind_code": "13",
}


def fill_seed_000_money(page) -> None:
    """3.88万元 and its one budget line: 省级补助资金 under 2100399 / 502 / 302 / 13."""
    page.fill("#id_amount", "3.88")
    page.select_option("#id_amount_unit", "wan")
    for name, value in SEED_000_LINE.items():
        page.fill(f"#id_line-0-{name}", value)
