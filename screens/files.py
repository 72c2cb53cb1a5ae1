"""The app's file outputs: the calendar export, the year-end reports, the plan import.

Each asks for a path in a dialog and writes through the outputs package, so the app and the
command line produce the same files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

    from tracker.service import AppContext

    from .board import Board


def export_ics(app: App, board: Board, ctx: AppContext, owner: str | None = None) -> None:
    """Ask where to write the .ics file, write it, say what was written."""
    from tracker.outputs.ics import default_filename, export_tracker

    from .dialogs import PathChoice, PathDialog

    messages: list[str] = []

    def submit(choice: PathChoice) -> str | None:
        from tracker.errors import TrackerError

        try:
            with board.lock:
                result = export_tracker(
                    board.tracker, db_path=ctx.db_path, target=choice.path,
                    owner=owner, include_done=choice.flag,
                )
        except TrackerError as exc:
            return str(exc)
        except OSError as exc:
            return f"无法写入 {choice.path}：{exc.strerror or exc}"
        messages[:] = [f"已导出 {result.events} 个日程到 {choice.path.resolve()}"]
        if result.changed:
            messages.append(f"其中 {result.changed} 个日程与上次导出不同：再次导入会更新这些日程（改名不改编号，不会重复）")
        messages.extend(result.notices)
        return None

    def done(choice: PathChoice | None) -> None:
        if choice is not None:
            app.notify("\n".join(messages), title="导出日历", timeout=10, markup=False)

    who = f"只含 {owner} 牵头或配合的事项；" if owner else ""
    app.push_screen(
        PathDialog(
            "导出日历（.ics）",
            default_filename(board.tracker.plan.title, board.year),
            submit,
            hint=f"每个未完成事项一个全天日程，前一天 9 点提醒；{who}导入手机日历后，再次导出会更新原有日程而不是重复。",
            flag="包含已完成的事项",
            ok_label="导出",
        ),
        done,
    )

def reports(app: App, board: Board) -> None:
    """Every output (总结, 台账, 会议纪要, 档案), in the format chosen, through tracker.outputs.produce."""
    from tracker.outputs import produce

    from .dialogs import PENDING, PathChoice, PathDialog

    options = [(o.label, o.key) for o in produce.OUTPUTS]
    names = {o.key: o.default_name.replace("-{year}", "{}") for o in produce.OUTPUTS}
    written: list[produce.Written] = []

    def submit(choice: PathChoice):
        # Every output checks every evidence file (the 档案 copies them too), which may read a
        # 2 GB video whole: in a worker, with its progress shown.
        write_report(app, board, choice.option or options[0][1], choice.path, written, dialog.finish)
        return PENDING

    def done(choice: PathChoice | None) -> None:
        if choice is not None and written:
            lines = [f"已保存：{choice.path.resolve()}", written[0].message, *written[0].notes]
            app.notify("\n".join(lines), timeout=10, markup=False)

    first = produce.OUTPUTS[0]
    dialog = PathDialog("生成报告", first.default_name.format(year=board.year), submit, options=options, ok_label="生成",
                        names=names)
    app.push_screen(dialog, done)


def write_report(app: App, board: Board, kind: str, path, written: list, finished) -> None:
    """One output under a progress dialog, in a worker. Its evidence files are checked first,
    without the board's lock (the screen's poll goes on): files checked of all, bytes of the
    one being read; once checked, the output's own check of each costs a stat. The 档案 then
    shows files copied of all. Esc cancels (an unfinished .zip or folder is removed; the other
    outputs are written only at the end). `finished` hears None or what went wrong."""
    from tracker.model import EvidenceKind
    from tracker.outputs import produce
    from tracker.service import evidence_label

    from .dialogs import Outcome, ProgressDialog
    from .problems import failure_text
    from .widgets.progress import amount

    archive = kind == "archive-zip"

    def job(report):
        with board.lock:
            files = [e for r in board.rows for e in r.state.evidence if e.kind is EvidenceKind.FILE]
        for n, item in enumerate(files, 1):
            def reading(done: int, size: int, n: int = n) -> None:
                report(done, size, f"正在核对佐证文件 {n}/{len(files)} 个（{amount(done)} / {amount(size)}）")

            evidence_label(item, progress=reading)
            report(n, len(files), f"正在核对佐证文件 {n}/{len(files)} 个")

        def progress(files: int, total: int, done: int, size: int) -> None:
            text = f"已复制佐证文件 {files}/{total} 个（{amount(done)} / {amount(size)}）"
            if size:  # by bytes: one 2 GB video among small photos is most of the work
                report(done, size, text)
            else:
                report(files, total, text)

        return produce.write_output(board.tracker, kind, path, progress=progress if archive else None,
                                    lock=board.lock)

    def ended(outcome: Outcome | None) -> None:
        if outcome is None or outcome.cancelled:
            finished("已取消：档案没有生成，也没有留下未完成的文件。" if archive else "已取消：没有生成文件。")
        elif outcome.error is not None:
            error = outcome.error
            finished(f"无法写入 {path}：{error.strerror or error}" if isinstance(error, OSError) else failure_text(error))
        else:
            written[:] = [outcome.value]
            finished(None)

    first = "正在编排件号、生成目录" if archive else "正在核对佐证文件"
    app.push_screen(ProgressDialog("生成档案" if archive else "生成报告", job, first=first), ended)


def import_plan(app: App) -> None:
    """Turn an office plan document into a plan file, through the review screen."""
    from .dialogs import MessageDialog
    from .review import start_import

    def finished(target, lines: list[str]) -> None:
        text = "\n".join(lines) + (
            f"\n\n草稿已保存：{target}\n核对无误后运行 shuangyong-tui config --plan {target} 设为默认，"
            "再重新打开本程序即可使用这份计划。"
        )
        app.push_screen(MessageDialog("导入完成", text))

    start_import(app, finished)
