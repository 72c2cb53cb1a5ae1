"""The `shuangyong-tui` command line.

Every command reaches the plan and the state file through one AppContext. Errors the user
can fix arrive as TrackerError and are printed in Chinese with exit code 1; no traceback.
The Textual app is imported only when the app is started, and each command's module only
when that command runs (see COMMANDS), so commands stay quick.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from tracker.cli.terminal import BROKEN_PIPE_EXIT, guarded, silence_stdout
from tracker.cli.options import DAY, PATH, YEAR, fail, show_notices
from tracker.settings import AppContext
from tracker.errors import PlanError, TrackerError

# The commands defined in their own modules, imported when the command is looked up (to run
# it or show its help): `list` does not load the export or import code. name -> module, attr.
COMMANDS = {
    "list": ("tracker.cli.listing", "list_command"),
    "done": ("tracker.cli.tracking", "done"),
    "set": ("tracker.cli.tracking", "set_command"),
    "evidence": ("tracker.cli.tracking", "evidence"),
    "show": ("tracker.cli.tracking", "show"),
    "history": ("tracker.cli.tracking", "history"),
    "undo": ("tracker.cli.tracking", "undo"),
    "relink": ("tracker.cli.tracking", "relink"),
    "rollover": ("tracker.cli.tracking", "rollover"),
    "tui": ("tracker.cli.tui", "tui"),
    "export": ("tracker.cli.export", "export"),
    "report": ("tracker.cli.export", "report"),
    "import": ("tracker.cli.imports", "import_command"),
    "holidays": ("tracker.cli.holidays", "holidays"),
    "serve": ("tracker.cli.sync", "serve"),
    "sync": ("tracker.cli.sync", "sync"),
}


# Commands that keep running (the app, the calendar server) keep Python's cyclic collector.
LONG_RUNNING = (None, "tui", "serve")


def _without_cyclic_gc(ctx: click.Context) -> None:
    """A command loads the year, prints and ends: the cyclic collector would walk its tens of
    thousands of new objects again and again for nothing (none of them is garbage before the
    end; about a third of a county-scale `list`). Off for the command, back on after it."""
    import gc

    if gc.isenabled():
        gc.disable()
        if not _process_ends_after:  # a test runner or another program calling cli(): back on
            ctx.call_on_close(gc.enable)


# Set by main(): the process ends with the command (turning the collector back on would only
# make it walk everything once more on the way out).
_process_ends_after = False


def usage_message(exc: click.UsageError) -> str:
    """click's usage errors, said in Chinese (its own wording is English)."""
    if isinstance(exc, click.NoSuchOption):
        hint = f"；是否想用 {'、'.join(exc.possibilities)}？" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{hint}"
    if isinstance(exc, click.MissingParameter):
        name = exc.param.human_readable_name if exc.param else ""
        return f"缺少参数 {name}".rstrip()
    if isinstance(exc, click.BadOptionUsage):
        return f"选项 {exc.option_name} 用法不对：需要一个值"
    if isinstance(exc, click.BadParameter):
        hint = exc.param_hint or (exc.param.get_error_hint(exc.ctx) if exc.param and exc.ctx else "")
        return f"{hint} 的值无效：{exc.message}" if hint else exc.message
    if exc.message.startswith("No such command"):
        return f"没有这个命令：{exc.message.split(' ', 3)[-1].rstrip('.')}"
    if exc.message.startswith("Got unexpected extra argument"):
        return f"多余的参数：{exc.message.split('(', 1)[-1].rstrip(')')}"
    return exc.message


class HelpContext(click.Context):
    """click's Context with the Chinese help formatter (tracker.cli.helptext), imported only
    when help is shown."""

    def make_formatter(self):
        from tracker.cli.helptext import HelpFormatter

        return HelpFormatter(width=self.terminal_width, max_width=self.max_content_width)


def localize(command: click.Command) -> click.Command:
    """Give a command, and every command under it, the Chinese help Context."""
    command.context_class = HelpContext
    for sub in getattr(command, "commands", {}).values():
        if sub.context_class is not HelpContext:
            localize(sub)
    return command


class TrackerGroup(click.Group):
    """Turns the tool's own errors into Chinese messages and exit codes, never tracebacks;
    gives every command the Chinese help (tracker.cli.helptext)."""

    context_class = HelpContext
    lazy: dict[str, tuple[str, str]] = {}  # name -> (module, attribute), see COMMANDS

    def list_commands(self, ctx):
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy:
            import importlib

            module, attr = self.lazy[cmd_name]
            command = getattr(importlib.import_module(module), attr)
            self.add_command(command, cmd_name)
        return localize(command) if command is not None else None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            with guarded():
                code = self._run(args, prog_name, complete_var, **extra)
        except BrokenPipeError:
            # The reader went away (`list | head`): what was wanted has been read. Quietly.
            silence_stdout()
            code = BROKEN_PIPE_EXIT
        except Exception as exc:  # a fault no layer explained: said in one line, never a traceback
            code = _internal_error(exc)
        sys.exit(code)

    def _run(self, args, prog_name, complete_var, **extra) -> int:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            click.echo(f"错误：{usage_message(exc)}", err=True)
            click.echo("用 shuangyong-tui --help 查看用法（每个命令也可加 --help）。", err=True)
            return exc.exit_code
        except click.ClickException as exc:
            click.echo(f"错误：{exc.format_message()}", err=True)
            return exc.exit_code
        except click.Abort:
            click.echo("已中断", err=True)
            return 130
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                return exc.code or 0
            click.echo(str(exc.code), err=True)
            return 1
        return result if isinstance(result, int) else 0

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PlanError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            errors = len(exc.errors)
            click.echo(f"计划文件有 {errors} 处错误，请修改后再试。", err=True)
            sys.exit(1)
        except TrackerError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("已中断", 130)
        except BrokenPipeError:
            # Before click's own handler, which would exit with 1.
            silence_stdout()
            sys.exit(BROKEN_PIPE_EXIT)
        except OSError as exc:
            # Anything the file system refuses that no layer below explained.
            where = f"：{exc.filename}" if getattr(exc, "filename", None) else ""
            fail(f"文件操作失败{where}（{exc.strerror or exc}）")


INTERNAL_ERROR_EXIT = 70  # EX_SOFTWARE


def _internal_error(exc: Exception) -> int:
    """One line about an error no layer explained: what it was and where, for whoever looks
    into it (a traceback means nothing to an office and hides the line that matters)."""
    import traceback

    from tracker.textsafe import visible

    frames = traceback.extract_tb(exc.__traceback__)
    where = f"（{Path(frames[-1].filename).name}:{frames[-1].lineno}）" if frames else ""
    if isinstance(exc, RuntimeError) and str(exc).startswith("Symlink loop"):  # pathlib's resolve()
        what = f"路径中的符号链接绕成了圈：{str(exc).removeprefix('Symlink loop from ')}"
    else:
        what = f"程序内部出错：{type(exc).__name__}: {exc}{where}。请把这一行和所用的命令告诉维护人员"
    try:
        click.echo(f"错误：{visible(what)}", err=True)
    except Exception:
        pass
    return INTERNAL_ERROR_EXIT


@click.group(cls=TrackerGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--plan", "plan", type=PATH, help="计划文件（TOML）。")
@click.option("--db", "db", type=PATH, help="状态文件；也可用环境变量 SHUANGYONG_DB。")
@click.option("--year", type=YEAR, help="年份；默认为计划中的年份或今年。")
@click.option("--today", type=DAY, help="把这一天当作今天（YYYY-MM-DD），用于演示和核对。")
@click.option("--by", "user", help="记录修改人；默认为登录名。")
@click.version_option(package_name="shuangyong-tui", prog_name="shuangyong-tui", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx, plan, db, year, today, user):
    """双拥工作年度计划跟踪：按季度、月份查看进度，记录责任人、状态和佐证材料。

    不带子命令时打开终端界面。
    """
    ctx.obj = AppContext(plan_option=plan, db_option=db, year_option=year, today_option=today, user=user)
    if ctx.invoked_subcommand not in LONG_RUNNING:
        _without_cyclic_gc(ctx)
    if ctx.invoked_subcommand is None:
        ctx.invoke(cli.get_command(ctx, "tui"))




# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------


@cli.command()
@click.argument("plans", nargs=-1, type=PATH)
@click.pass_obj
def validate(obj: AppContext, plans):
    """检查计划文件，列出全部问题（文件:行: 字段: 说明）。"""
    from tracker.plan.loader import check_plan

    paths = list(plans) or [obj.plan_path]
    show_notices(obj)
    failed = False
    for path in paths:
        if not os.path.lexists(path):  # a link loop or a dangling link: the loader says which
            click.echo(f"{path}: 文件不存在", err=True)
            failed = True
            continue
        if path.is_dir():
            click.echo(f"{path}: 这是一个文件夹，请给出计划文件", err=True)
            failed = True
            continue
        plan, problems = check_plan(path, year=obj.year_option)
        for problem in problems:
            click.echo(str(problem), err=True)
        errors = [p for p in problems if p.severity == "error"]
        warnings = len(problems) - len(errors)
        if errors or plan is None:
            failed = True
            click.echo(f"{path}: {len(errors)} 处错误，{warnings} 处警告", err=True)
        else:
            click.echo(f"{path}: 通过（{len(plan.tasks)} 项任务，{warnings} 处警告）")
    sys.exit(1 if failed else 0)


@cli.command()
def templates():
    """列出内置计划模板。"""
    from tracker.plan.bundled import templates as list_templates
    from tracker.textwidth import table

    rows = [(t.name, t.title, str(t.task_count), t.description) for t in list_templates()]
    click.echo(table(("名称", "标题", "任务数", "说明"), rows))


@cli.command()
@click.option("--template", "-t", "name", default="shequ", show_default=True, help="模板名称（见 templates）。")
@click.option("-o", "--output", type=PATH, help="写到这个文件；默认 计划.toml。")
def init(name, output):
    """从内置模板生成一份可编辑的计划文件（不会覆盖已有文件）。"""
    from tracker.plan.bundled import template_path, with_uid

    source = template_path(name)
    target = output or Path("计划.toml")
    if target.exists():
        fail(f"{target} 已存在，不会覆盖；请换一个文件名（-o）")
    from tracker.outputs.files import save_atomically

    save_atomically(target, with_uid(source.read_text(encoding="utf-8")), exclusive=True)
    click.echo(f"已生成 {target}（模板：{name}）。编辑后运行：shuangyong-tui validate {target}")


@cli.command()
@click.option("--plan", "plan", type=PATH, help="默认计划文件。")
@click.option("--db", "db", type=PATH, help="默认状态文件。")
@click.option("--archive", type=PATH, help="佐证材料档案文件夹。")
@click.pass_obj
def config(obj: AppContext, plan, db, archive):
    """查看或设置默认计划文件、状态文件和档案文件夹。"""
    from tracker.settings import config_path, write_config

    values = {}
    if plan:
        from tracker.plan.loader import load_plan

        load_plan(plan)  # refuse to configure a plan that does not load
        values["plan"] = str(plan.resolve())
    if db:
        values["db"] = str(db.resolve())
    if archive:
        values["archive"] = str(archive.resolve())
    if values:
        path = write_config(values)
        click.echo(f"已保存配置：{path}")
        obj._config = None
    click.echo(f"配置文件：{config_path()}")
    click.echo(f"计划文件：{obj.plan_path}{'（内置社区计划）' if obj.plan_is_default else ''}")
    click.echo(f"状态文件：{obj.db_path}")
    click.echo(f"档案文件夹：{obj.archive_dir}")
    obj.notices.clear()


cli.lazy = COMMANDS


def main() -> None:
    global _process_ends_after
    _process_ends_after = True
    cli(prog_name="shuangyong-tui")
