"""Me's spending charts: the numbers drawn (each bar's value, the table, the text
alternative) are the ledger's, by month and by program; charts have text alternatives."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from playwright.sync_api import Page, expect

from capsule.runtime.capabilities.payments.provider import Charge

from .conftest import signed_in
from .test_browser import open_shell, shot

COFFEE = "dev.capsule.samples.coffee"
TABLE = "dev.capsule.samples.tableorder"
DAY = 86400


def pay(web, user: str, app_id: str, amount: int, at: float) -> str:
    provider = web.host.capabilities["payments"].provider
    order = f"chart-{secrets.token_hex(6)}"
    clock = provider.clock
    provider.clock = lambda: at
    try:
        provider.charge(Charge(app_id=app_id, user=user, payer_id="p", order_id=order, amount=amount, currency="CNY", description="test"))
    finally:
        provider.clock = clock
    return order


def ledger_totals(web, user: str) -> tuple[dict[str, int], dict[str, int]]:
    """Spent per UTC month and per program, straight from the ledger (payments less refunds)."""
    by_month: dict[str, int] = {}
    by_program: dict[str, int] = {}
    for line in web.host.capabilities["payments"].provider.statement(f"user:{user}", limit=100_000):
        if line.kind in ("payment", "refund") and line.currency == "CNY":
            month = time.strftime("%Y-%m", time.gmtime(line.at / 1000))
            by_month[month] = by_month.get(month, 0) - line.amount
            by_program[line.app_id] = by_program.get(line.app_id, 0) - line.amount
    return by_month, by_program


@pytest.fixture(scope="module")
def payments(web):
    now = time.time()
    pay(web, "carol", COFFEE, 1250, now)
    pay(web, "carol", COFFEE, 800, now - 62 * DAY)
    pay(web, "carol", TABLE, 4200, now - 62 * DAY)
    order = pay(web, "carol", TABLE, 300, now)
    web.host.capabilities["payments"].provider.refund(TABLE, order, f"r-{order}", 300, "changed my mind")
    return now


def test_the_spending_numbers_are_the_ledgers(web, payments) -> None:
    with signed_in(web, "carol") as client:
        spent = client.get("/api/me/spending").json()["currencies"]["CNY"]
    by_month, by_program = ledger_totals(web, "carol")
    assert len(spent["by_month"]) == 12 and spent["by_month"][-1]["month"] == time.strftime("%Y-%m", time.gmtime())
    for row in spent["by_month"]:
        assert row["amount"] == by_month.get(row["month"], 0), row["month"]
    assert {row["app_id"]: row["amount"] for row in spent["by_program"]} == by_program
    assert by_program[TABLE] >= 4200 and by_program[COFFEE] >= 2050  # the refund came off Table Order
    assert [row["amount"] for row in spent["by_program"]] == sorted(by_program.values(), reverse=True)
    with signed_in(web, "carol") as client:
        client.cookies.clear()
        assert client.get("/api/me/spending").status_code == 401


@pytest.mark.slow
def test_the_charts_draw_the_ledgers_numbers_with_text_alternatives(page: Page, web, payments) -> None:
    open_shell(page, "carol")
    page.get_by_role("button", name="Me", exact=True).click()
    by_month, by_program = ledger_totals(web, "carol")
    month_chart = page.get_by_role("img", name="Spending by month (CNY)")
    program_chart = page.get_by_role("img", name="Spending by program (CNY)")
    expect(month_chart).to_be_visible()
    expect(program_chart).to_be_visible()
    month_chart.scroll_into_view_if_needed()
    shot(page, "host-spending")
    drawn = [int(value) for value in month_chart.locator(".chart-bar").evaluate_all("(bars) => bars.map((b) => b.dataset.value)")]
    now = time.gmtime()
    months = [f"{now.tm_year - (now.tm_mon - 1 - i < 0):04d}-{(now.tm_mon - 1 - i) % 12 + 1:02d}" for i in range(11, -1, -1)]
    assert drawn == [by_month.get(month, 0) for month in months]
    widths = month_chart.locator(".chart-bar").evaluate_all("(bars) => bars.map((b) => Number(b.getAttribute('width')))")
    assert max(widths) == widths[drawn.index(max(drawn))]  # the biggest month has the longest bar
    by_name = program_chart.locator(".chart-bar").evaluate_all("(bars) => bars.map((b) => Number(b.dataset.value))")
    assert sorted(by_name, reverse=True) == sorted(by_program.values(), reverse=True)
    # The text alternative: the description names the total and the biggest, the table every number.
    expect(program_chart.locator("desc")).to_contain_text("in total")
    table = page.locator(".chart-table").nth(1)
    assert table.locator("tbody tr").count() == len(by_program)
    expect(table).to_contain_text("Table Order")
    expect(table).to_contain_text("CN¥")


# Money, numbers and dates on Me in the account's language: a decimal comma and "CN¥"
# after the amount in German, "¥" before it in Chinese; dates as each language writes them.
LOCALE_FORMS = {
    "de": {"money": re.compile(r"^-?[\d.]+,\d\d\s?CN¥$"), "date": re.compile(r"\d{1,2}\.\s?(?:\d{1,2}\.|\w+\.? )\d{4}")},
    "zh-CN": {"money": re.compile(r"^-?¥[\d,]+\.\d\d$"), "date": re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")},
}


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(LOCALE_FORMS))
def test_me_shows_money_and_dates_in_the_accounts_language(page: Page, web, payments, language) -> None:
    forms = LOCALE_FORMS[language]
    web.languages.set("carol", language)
    try:
        page.goto("/")
        page.locator("#demo-accounts button", has_text="Carol").click()
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        page.locator("#tab-me").click()
        statement = page.locator("#wallet-body table")
        expect(statement.locator("tbody tr").first).to_be_visible()
        first = statement.locator("tbody tr").first.locator("td")
        assert forms["date"].search(first.nth(0).inner_text()), first.nth(0).inner_text()
        assert forms["money"].match(first.nth(2).inner_text().strip()), first.nth(2).inner_text()
        # The charts' tables and their text alternative say money the same way.
        table = page.locator(".chart-table").nth(1)  # behind "show as a table": read, not seen
        expect(table.locator("tbody tr").first).to_be_attached()
        amounts = table.locator("tbody td").all_text_contents()
        assert amounts and all(forms["money"].match(text.strip()) for text in amounts), amounts
        balance = page.locator(".balance-amount").first.inner_text().strip()
        assert forms["money"].match(balance), balance
        assert page.evaluate("() => [...window.capsuleMissingMessages]") == []
    finally:
        web.languages.forget("carol")
