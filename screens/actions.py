"""The edits every list screen offers on its selected row: tick, status, owner, evidence,
note, detail, undo and help. A screen mixes this in and says which row is selected."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from .commands import Command
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
        self.notify(f"{what}：{clip(row.title, 40)}（按 u 撤销）", markup=False)

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
        error = self.shuangyong.edit(row.id, lambda t: t.toggle_done(row.id))
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
                row.id, lambda t: t.set_status(row.id, choice.status, reason=choice.reason, due=choice.due)
            )

        def done(choice: StatusChoice | None) -> None:
            if choice is not None:
                extra = f"，截止改为 {choice.due.isoformat()}" if choice.due else ""
                self.confirm(row, f"已改为{choice.status.label}{extra}")

        self.app.push_screen(StatusDialog(row, submit), done)

    def action_owner(self) -> None:
        row = self._selected()
        if row is None:
            return

        from .dialogs import OwnerDialog

        def submit(owner: str) -> str | None:
            return self.shuangyong.edit(row.id, lambda t: t.set_owner(row.id, owner))

        def done(owner: str | None) -> None:
            if owner:
                self.confirm(row, f"责任单位已改为{owner}")

        self.app.push_screen(OwnerDialog(row, self.shuangyong.board.owners(), submit), done)

    def action_evidence(self) -> None:
        row = self._selected()
        if row is None:
            return

        from .dialogs import EvidenceDialog

        def submit(choice: EvidenceChoice) -> str | None:
            return self.shuangyong.edit(
                row.id,
                lambda t: t.add_evidence(row.id, choice.kind, choice.text, label=choice.label, archive=choice.archive),
            )

        def done(choice: EvidenceChoice | None) -> None:
            if choice is not None:
                self.confirm(row, f"已添加佐证材料（{choice.kind.label}）")

        self.app.push_screen(EvidenceDialog(row, submit), done)

    def action_note(self) -> None:
        row = self._selected()
        if row is None:
            return

        from .dialogs import NoteDialog

        def submit(text: str) -> str | None:
            return self.shuangyong.edit(row.id, lambda t: t.add_note(row.id, text))

        def done(text: str | None) -> None:
            if text:
                self.confirm(row, "已添加备注")

        self.app.push_screen(NoteDialog(row, submit), done)

    def action_detail(self) -> None:
        row = self._selected()
        if row is None:
            return
        self.post_message(OpenDetail(row.id))

    def action_undo(self) -> None:
        self.shuangyong.undo()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self.KEY_COMMANDS))

    def action_close(self) -> None:
        self.dismiss()
