"""Options and helpers shared by every command module."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from tracker.settings import AppContext, parse_day
from tracker.errors import TrackerError


class DayParam(click.ParamType):
    name = "日期"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return parse_day(value)
        except TrackerError as exc:
            self.fail(str(exc), param, ctx)


DAY = DayParam()


class NumberRange(click.ParamType):
    """A whole number in a range, refused in Chinese (click's IntRange answers in English)."""

    name = "数字"

    def __init__(self, low: int, high: int, what: str) -> None:
        self.low, self.high, self.what = low, high, what

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"「{value}」不是整数，{self.what}应为 {self.low}-{self.high}", param, ctx)
        if not self.low <= number <= self.high:
            self.fail(f"{self.what} {number} 超出范围，应为 {self.low}-{self.high}", param, ctx)
        return number


class PathParam(click.ParamType):
    """A path taken as given; whether it exists or can be read is explained in Chinese by
    the code that opens it (click.Path's own checks answer in English)."""

    name = "路径"

    def convert(self, value, param, ctx):
        return value if isinstance(value, Path) else Path(value)


class AmountParam(click.ParamType):
    """An amount of money in 元, refused in Chinese."""

    name = "金额"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)):
            return value
        text = str(value).strip().removesuffix("元").replace(",", "").replace("，", "")
        try:
            amount = float(text)
        except ValueError:
            self.fail(f"「{value}」不是金额，请写数字，如 1500 或 1500.50", param, ctx)
        if not 0 <= amount < 1e9 or amount != amount:
            self.fail(f"金额 {value} 超出范围", param, ctx)
        return int(amount) if amount.is_integer() else amount


YEAR = NumberRange(2000, 2099, "年份")
COUNT = NumberRange(0, 1_000_000, "数量")
AMOUNT = AmountParam()
PATH = PathParam()


def parse_status(text: str):
    from tracker.model import Status

    try:
        return Status.parse(text)
    except ValueError as exc:
        raise TrackerError(str(exc)) from None


def fail(message: str, code: int = 1) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def show_notices(ctx_obj: AppContext) -> None:
    for notice in ctx_obj.notices:
        click.echo(f"提示：{notice}", err=True)
    ctx_obj.notices.clear()


def _set(attr):
    def callback(ctx, param, value):
        if value is not None:
            setattr(ctx.find_object(AppContext), attr, value)
        return value

    return callback


def plan_options(func):
    """`--plan/--db/--year/--today/--by` also after the command name, as users type them."""
    options = [
        click.option("--plan", type=PATH, expose_value=False,
                     callback=_set("plan_option"), help="计划文件（TOML）。"),
        click.option("--db", type=PATH, expose_value=False,
                     callback=_set("db_option"), help="状态文件。"),
        click.option("--year", type=YEAR, expose_value=False, callback=_set("year_option"), help="年份。"),
        click.option("--today", type=DAY, expose_value=False, callback=_set("today_option"),
                     help="把这一天当作今天（YYYY-MM-DD）。"),
        click.option("--by", type=str, expose_value=False, callback=_set("user"), help="记录修改人。"),
    ]
    for option in reversed(options):
        func = option(func)
    return func
