"""The edits every list screen offers on its selected row: tick, status, owner, evidence,
note, detail, undo and help. A screen mixes this in and says which row is selected."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from .commands import Command
from .memory import EVIDENCE_FOLDER, evidence_folder, remember
from .text import clip
from .messages import BoardChanged, OpenDetail

if TYPE_CHECKING:
    from tracker.model import TrackedOccurrence

    from .dialogs import EvidenceChoice, StatusChoice
    from .host import Host


class RowActions(Screen):
    KEY_COMMANDS: tuple[Command, ...] = ()

    @property
    def shuangyong(self) -> Host:
        return cast("Host", self.app)

    def current_row(self) -> TrackedOccurrence | None:
        raise NotImplementedError

    def on_board_changed(self, message: BoardChanged) -> None:
        """The board was updated (message.row: the one edited, or None after a reload)."""
        self.board_changed(message.row)

    def board_changed(self, row: TrackedOccurrence | None) -> None:
        """Redraw what this screen shows from the board."""

    def confirm(self, row: TrackedOccurrence, what: str) -> None:
        """Say what was just changed, on which item, and how to take it back."""
        from tracker.service import item_name

        board = self.shuangyong.board
        name = item_name(row, board.year) if board is not None else row.title  # next year's with its date
        self.notify(f"{what}：{clip(name, 56)}（按 u 撤销）", markup=False)

    def guarded(self, row: TrackedOccurrence, submit):
        """A dialog's submit that first looks whether someone changed the item since the dialog
        opened: if so it says what the item is now and saves only when asked again."""
        seen = [row.state]

        def check(choice) -> str | None:
            board = self.shuangyong.board
            if board is not None:
                try:
                    board.refresh()
                    now = board.get(row.id, row.occurrence.year)
                except Exception:  # the change itself reports any real problem
                    now = None
                if now is not None and now.state != seen[0]:
                    seen[0] = now.state
                    by = f"{now.state.updated_by} " if now.state.updated_by else ""
                    return (
                        f"{by}刚修改了这个事项，现在是：{now.status_label(board.today)}，责任单位 {now.owner}，"
                        f"截止 {now.due.isoformat()}，佐证 {len(now.state.evidence)} 项。仍要保存请再按回车。"
                    )
            return submit(choice)

        return check

    def _selected(self) -> TrackedOccurrence | None:
        if self.shuangyong.board is None:
            self.notify("数据尚未载入，请稍候", severity="warning", markup=False)
            return None
        row = self.current_row()
        if row is None:
            self.notify("没有选中的事项", severity="warning", markup=False)
        return row

    # -- edits -----------------------------------------------------------------------------
    def action_toggle_done(self) -> None:
        row = self._selected()
        if row is None:
            return
        error = self.shuangyong.edit(row.id, lambda t: t.toggle_done(row.id), row.occurrence.year)
        if error:
            self.notify(error, severity="error", title="未能修改", markup=False)
        else:
            self.confirm(row, "已恢复为未开始" if row.status.value == "done" else "已完成")

    def action_status(self) -> None:
        row = self._selected()
        if row is None:
            return

        from .dialogs import StatusDialog

        def submit(choice: StatusChoice) -> str | None:
            return self.shuangyong.edit(
                row.id, lambda t: t.set_status(row.id, choice.status, reason=choice.reason, due=choice.due), row.occurrence.year
            )

        def done(choice: StatusChoice | None) -> None:
            if choice is not None:
                extra = f"，截止改为 {choice.due.isoformat()}" if choice.due else ""
                self.confirm(row, f"已改为{choice.status.label}{extra}")

        self.app.push_screen(StatusDialog(row, self.guarded(row, submit)), done)

    def action_owner(self) -> None:
        row = self._selected()
        if row is None:
            return

        from .dialogs import OwnerDialog

        def submit(owner: str) -> str | None:
            return self.shuangyong.edit(row.id, lambda t: t.set_owner(row.id, owner), row.occurrence.year)

        def done(owner: str | None) -> None:
            if owner:
                self.confirm(row, f"责任单位已改为{owner}")

        self.app.push_screen(OwnerDialog(row, self.shuangyong.board.owners(), self.guarded(row, submit)), done)

    def action_evidence(self) -> None:
        row = self._selected()
        if row is None:
            return

        from .dialogs import PENDING, EvidenceDialog

        ctx = self.shuangyong.ctx
        folder = evidence_folder(ctx)

        def submit(choice: EvidenceChoice):
            if choice.archive:  # a copy may be gigabytes: in a worker, with its progress shown
                from tracker.service import copied_text

                def change(t, report):
                    def progress(done: int, total: int) -> None:
                        report(done, total, copied_text(done, total))

                    return t.add_evidence(row.id, choice.kind, choice.text, label=choice.label, archive=True,
                                          progress=progress)

                self.shuangyong.edit_slow(row.id, change, row.occurrence.year,
                                          title=f"复制到档案：{clip(Path(choice.text).name, 50)}", finished=dialog.finish)
                return PENDING
            return self.shuangyong.edit(
                row.id, lambda t: t.add_evidence(row.id, choice.kind, choice.text, label=choice.label),
                row.occurrence.year,
            )

        def done(choice: EvidenceChoice | None) -> None:
            if choice is None:
                return
            what = f"{choice.kind.label}，对应{choice.label}" if choice.label else choice.kind.label
            self.confirm(row, f"已添加佐证材料（{what}）")
            if choice.kind.value == "file":
                remember(ctx, EVIDENCE_FOLDER, str(Path(choice.text).parent))

        picker = folder is not None
        dialog = EvidenceDialog(row, self.guarded(row, submit), folder=folder or ctx.db_path.parent, picker=picker)
        self.app.push_screen(dialog, done)

    def action_note(self) -> None:
        row = self._selected()
        if row is None:
            return

        from .dialogs import NoteDialog

        def submit(text: str) -> str | None:
            return self.shuangyong.edit(row.id, lambda t: t.add_note(row.id, text), row.occurrence.year)

        def done(text: str | None) -> None:
            if text:
                self.confirm(row, "已添加备注")

        self.app.push_screen(NoteDialog(row, self.guarded(row, submit)), done)

    def action_detail(self) -> None:
        row = self._selected()
        if row is None:
            return
        self.post_message(OpenDetail(row.id, row.occurrence.year))

    def action_undo(self) -> None:
        self.shuangyong.undo()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self.KEY_COMMANDS))

    def action_close(self) -> None:
        self.dismiss()
