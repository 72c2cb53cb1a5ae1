"""`serve` (subscription feeds for phones on the LAN) and `sync` (two-way CalDAV)."""

from __future__ import annotations

import sys

import click

from tracker.cli.options import NumberRange, plan_options, show_notices
from tracker.errors import TrackerError
from tracker.settings import AppContext

PORT = NumberRange(1, 65535, "端口")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@plan_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；让内网的手机访问请用本机内网地址或 0.0.0.0。")
@click.option("--port", type=PORT, default=8765, show_default=True, help="端口。")
@click.option("--show-urls", is_flag=True, help="只列出订阅地址，不启动服务。")
@click.option("--revoke", metavar="地址或单位", help="撤销一个订阅地址（写令牌、责任单位名、plan 或 all），下次启动时生成新地址。")
@click.option("--alarm", default="none", show_default=True,
              help="订阅日历里的提醒（多数手机订阅时会去掉提醒）：如 1d@09:00；none 不提醒。")
@click.pass_obj
def serve(obj: AppContext, host, port, show_urls, revoke, alarm):
    """在内网提供日历订阅：整个计划一个地址，每个责任单位一个地址，手机订阅后自动更新。"""
    from tracker.outputs.ics import parse_alarm
    from tracker.sync import feed

    parse_alarm(alarm)
    if revoke:
        gone = feed.revoke(revoke)
        for f in gone:
            click.echo(f"已撤销 {f.label} 的订阅地址 /ics/{f.token[:4]}....ics；用旧地址订阅的手机将无法再更新。")
        return
    source = feed.TrackerFeeds(obj, alarm=alarm, today=obj.today_option)
    feeds = feed.ensure_feeds(source.owners())
    show_notices(obj)
    if show_urls:
        _show(feeds, host, port)
        return
    try:
        server = feed.FeedServer((host, port), source.render, feed.read_feeds, lambda line: click.echo(line, err=True))
    except OSError as exc:
        raise TrackerError(f"无法在 {host}:{port} 上启动服务（{exc.strerror or exc}）；请换一个端口（--port）") from None
    _show(feeds, host, server.server_address[1])
    click.echo("按 Ctrl+C 停止。每次请求记一行日志；改动会在手机下次刷新订阅时出现。", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("已停止。", err=True)
    finally:
        server.server_close()


def _show(feeds, host: str, port: int) -> None:
    from tracker.sync.feed import feed_url

    click.echo("日历订阅地址（在手机日历中「添加订阅日历」，或用 ICSx5 订阅；地址即密码，请勿外传）：")
    for f in feeds:
        click.echo(f"  {f.label}：{feed_url(host, port, f)}")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@plan_options
@click.option("--caldav", "url", required=True, metavar="地址",
              help="CalDAV 日历（集合）地址，如 http://192.168.1.10:5232/xiaowang/shuangyong/；不存在时自动创建。")
@click.option("--user", help="CalDAV 用户名；密码取自环境变量 SHUANGYONG_CALDAV_PASSWORD，未设置时询问。")
@click.option("--owner", help="只同步这个责任单位牵头或配合的事项（成员单位各用自己的日历）。")
@click.option("--alarm", default="1d@09:00", show_default=True,
              help="待办提醒：提前天数d@时:分（落在休息日时提前到上一个工作日）；none 不提醒。")
@click.pass_obj
def sync(obj: AppContext, url, user, owner, alarm):
    """与 CalDAV 服务器双向同步：上传未完成事项为待办，取回在手机上完成的事项。"""
    from tracker.outputs.ics import parse_alarm
    from tracker.sync.caldav import ENV_PASSWORD, password_from_env, sync_tracker

    parse_alarm(alarm)
    password = None
    if user:
        password = password_from_env()
        if password is None:
            if not sys.stdin or not sys.stdin.isatty():
                raise TrackerError(f"需要 {user} 的密码：请设置环境变量 {ENV_PASSWORD}（不要写在命令行或文件里）")
            password = click.prompt(f"{user} 的 CalDAV 密码", hide_input=True, show_default=False)
    if url.startswith("http://") and user and not _local(url):
        click.echo("提示：地址是 http://，密码将以明文经过网络；内网以外请使用 https://。", err=True)
    tracker = obj.tracker()
    show_notices(obj)
    last = sync_tracker(tracker, db_path=obj.db_path, url=url, user=user, password=password, alarm=alarm,
                        owner=owner)
    if last.created_collection:
        click.echo(f"已在服务器上创建日历 {last.url}")
    for message in last.messages:
        click.echo(f"提示：{message}", err=True)
    click.echo(f"已同步 {tracker.year} 年：上传 {last.up} 项，取回 {last.down} 项，未变化 {last.unchanged} 项"
               + (f"，冲突 {last.conflicts} 项（保留本机状态，服务器上的状态已记入历史）" if last.conflicts else "") + "。")


def _local(url: str) -> bool:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")
