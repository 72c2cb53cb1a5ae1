"""One list of commands per screen: each becomes a key binding, a help line and a
command-palette entry, so the three never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Command:
    key: str  # Textual key names, comma-separated for alternatives
    action: str  # the screen action to run
    label: str  # short, for the footer and the palette
    help: str  # one sentence for the help screen and the palette
    show: bool = True  # shown in the footer
    display: str | None = None  # how the key is written for people
    palette: bool = True  # offered in the command palette

    @property
    def key_display(self) -> str:
        return self.display or self.key.split(",")[0]


def bindings(*commands: Command) -> list[Binding]:
    return [
        Binding(c.key, c.action, c.label, show=c.show, key_display=c.display, tooltip=c.help)
        for c in commands
    ]


# The main screen's commands, in the order the help screen lists them.
MAIN_COMMANDS: tuple[Command, ...] = (
    Command("space", "toggle_done", "完成", "把选中的事项标为已完成，再按一次恢复为未开始", display="空格"),
    Command("s", "status", "状态", "修改状态；改为已延期要填新的截止日期和原因，已取消要填原因"),
    Command("o", "owner", "责任单位", "改派责任单位：从计划里的单位中选，或直接输入", show=False),
    Command("e", "evidence", "佐证", "添加佐证材料：文字说明、文件路径或网址"),
    Command("enter", "detail", "详情", "查看事项的全部信息、佐证材料和修改记录", show=False, display="回车"),
    Command("slash", "search", "搜索", "按标题搜索（输入时单键命令不起作用）", display="/"),
    Command("f", "filter", "筛选", "按责任单位、分类、状态筛选"),
    Command("0", "period('year')", "全年", "查看全年", show=False),
    Command("1", "period('Q1')", "一季度", "查看一季度（1-3月）", show=False),
    Command("2", "period('Q2')", "二季度", "查看二季度（4-6月）", show=False),
    Command("3", "period('Q3')", "三季度", "查看三季度（7-9月）", show=False),
    Command("4", "period('Q4')", "四季度", "查看四季度（10-12月）", show=False),
    Command("w", "meeting", "例会", "打开本周例会：逾期、本周、下周"),
    Command("u", "undo", "撤销", "撤销你在本程序里的最近一次修改（整条命令一起撤销，先列出要撤销的内容）", show=False),
    Command("x", "export_ics", "导出日历", "把截止日期导出为 .ics 日历文件", show=False),
    Command("y", "calendars", "手机日历", "查看日历订阅地址和上次 CalDAV 同步，按 s 立即同步", show=False),
    Command("r", "reports", "报告", "生成年终总结或台账", show=False),
    Command("escape", "clear", "清除筛选", "清除搜索和筛选条件", show=False, display="Esc"),
    Command("question_mark", "help", "帮助", "列出全部按键和命令", display="?"),
    Command("q", "quit", "退出", "退出程序"),
)

MEETING_COMMANDS: tuple[Command, ...] = (
    Command("space", "toggle_done", "完成", "把选中的事项标为已完成，再按一次恢复", display="空格"),
    Command("e", "evidence", "佐证", "为选中的事项添加佐证材料"),
    Command("s", "status", "状态", "修改状态（延期、取消等）", show=False),
    Command("o", "owner", "责任单位", "改派责任单位", show=False),
    Command("enter", "detail", "详情", "查看事项详情", show=False, display="回车"),
    Command("left_square_bracket", "week(-1)", "上一周", "看上一周", display="["),
    Command("right_square_bracket", "week(1)", "下一周", "看下一周", display="]"),
    Command("t", "this_week", "本周", "回到本周", show=False),
    Command("tab", "section(1)", "下一段", "跳到下一段：逾期、本周、下周、本次例会已修改", show=False, display="Tab"),
    Command("shift+tab", "section(-1)", "上一段", "跳到上一段", show=False, display="Shift+Tab"),
    Command("z", "fold", "逾期", "展开或收起逾期事项（收起时只显示件数）"),
    Command("g", "group", "分组", "按牵头单位分组，或按截止日期排列", show=False),
    Command("n", "minutes", "会议纪要", "把本次例会以来的全部修改写成会议纪要（Word 文件；文件名写 .md 则为 Markdown）"),
    Command("i", "details", "会议信息", "修改本次例会的地点、主持人、参加人员和记录人（写入会议纪要）", show=False),
    Command("u", "undo", "撤销", "撤销你在本程序里的最近一次修改（整条命令一起撤销，先列出要撤销的内容）", show=False),
    Command("question_mark", "help", "帮助", "列出全部按键和命令", display="?"),
    Command("escape,q", "close", "返回", "回到主界面", display="Esc"),
)

DETAIL_COMMANDS: tuple[Command, ...] = (
    Command("space", "toggle_done", "完成", "标为已完成，再按一次恢复", display="空格"),
    Command("s", "status", "状态", "修改状态"),
    Command("o", "owner", "责任单位", "改派责任单位"),
    Command("e", "evidence", "佐证", "添加佐证材料"),
    Command("m", "note", "备注", "添加一条备注"),
    Command("u", "undo", "撤销", "撤销你在本程序里的最近一次修改（整条命令一起撤销，先列出要撤销的内容）", show=False),
    Command("question_mark", "help", "帮助", "列出全部按键和命令", display="?"),
    Command("escape,q", "close", "返回", "回到上一界面", display="Esc"),
)
