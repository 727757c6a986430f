"""`flask fieldapp …` commands."""

from __future__ import annotations

import json
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from fieldapp.services import demo, demo_activity

group = AppGroup("fieldapp", help="Field app administration.")


@group.command("seed")
def seed():
    """Create the reference data every district starts with (the general checklist); run after
    each `db upgrade` — it changes nothing when they are there."""
    from fieldapp.services import checklists

    checklists.seed()
    click.echo("Reference data present.")


@group.command("demo")
@click.option(
    "--with-activity", is_flag=True, help="Also a day's work: signed records and hazards in every state of the loop."
)
def load_demo(with_activity: bool):
    """Load the demo district (does nothing if it is already loaded)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if demo.load(hash_method=method):
        click.echo("Demo data loaded.")
    else:
        click.echo("Demo data already present; nothing changed.")
    if with_activity:
        if demo_activity.load():
            click.echo("Demo activity loaded: records, hazards and their steps.")
        else:
            click.echo("Records already present; no activity added.")


@group.command("demo-accounts")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON for scripts.")
def demo_accounts(as_json: bool):
    """List the demo accounts (one per role, plus a second inspector and company manager)."""
    rows = demo.accounts()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No demo accounts: run `flask --app wsgi fieldapp demo` first.")
        return
    click.echo(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for row in rows:
        where = row.get("grid") or row.get("enterprise") or row.get("org_unit") or {}
        click.echo(f"  {row['role']:<22} {row['username']:<15} {row['display_name']}  {where.get('name', '')}")


@group.command("prune")
@click.option(
    "--files-older-than",
    "hours",
    default=24,
    show_default=True,
    help="remove stored files no row names once they are this many hours old",
)
def prune(hours: int):
    """Delete expired login sessions, old login attempts, and stored files no row names (the
    files of refused or abandoned uploads; never a file a row names). Run daily from cron."""
    from datetime import timedelta

    from fieldapp.db import db
    from fieldapp.services import accounts, media, sessions, throttle

    ended = sessions.prune(current_app.permanent_session_lifetime)
    attempts = accounts.prune_attempts()
    db.session.commit()
    throttle.prune_used(timedelta(days=2))  # single-use stamps outlive their forms by a day
    files = media.prune_orphans(timedelta(hours=hours))
    click.echo(f"Removed {ended} expired sessions, {attempts} old login attempts and {files} files no record names.")


@group.command("remind")
def remind():
    """Create the day's hazard reminders (deadlines in 3 days, overdue, re-checks due).

    Run it from cron, e.g. hourly: ``flask --app wsgi fieldapp remind``. Running it
    again sends nothing twice.
    """
    from fieldapp.services import notifications

    click.echo(f"{notifications.remind()} reminders created")


@group.command("notify")
@click.option("--loop", is_flag=True, help="keep running, a pass every --interval seconds (a long-running worker)")
@click.option("--interval", default=2.0, show_default=True, help="seconds between passes")
@click.option(
    "--for",
    "for_seconds",
    default=0.0,
    show_default=True,
    help="keep passing for this long (the scheduler's job works its minute: messages within seconds)",
)
def notify(loop: bool, interval: float, for_seconds: float):
    """Deliver the outbox's messages that are due (SMS, email, WeCom, DingTalk; retries with backoff).

    Passes until nothing more is due (what was committed while it sent goes too), then, with
    ``--for``, passes every ``--interval`` seconds until that time is up — the scheduler starts it
    every minute with ``--for 50`` (deploy/fieldapp-job) — or, with ``--loop``, for good. Several at
    once never send the same message twice (each is claimed with a lease).
    """
    import time

    from fieldapp.db import db
    from fieldapp.services import outbound

    ends, told = time.monotonic() + for_seconds, False
    while True:
        outcome = outbound.run_once()
        if outcome:
            click.echo(", ".join(f"{n} {status}" for status, n in sorted(outcome.items())))
            told = True
        db.session.remove()
        if outcome and set(outcome) != {"deferred"}:
            continue  # more may have come while these were sent
        if not loop and time.monotonic() + interval >= ends:
            break
        time.sleep(interval)
    if not told:
        click.echo("nothing due")


@group.command("render-photos")
@click.option("--limit", default=2000, show_default=True, help="at most this many photos per run")
def render_photos(limit: int):
    """Make the display copies and thumbnails of photos nobody has opened yet.

    Uploads store the original only; the copies are made on first view. Run this at quiet
    hours (cron) so first views are quick too; running it again makes nothing twice.
    """
    from fieldapp.services import photos

    click.echo(f"{photos.render_pending(limit)} photos rendered")


audit_group = AppGroup("audit", help="The tamper-evident trail.")


#: How each finding of the row check is said.
ROW_FINDINGS = {
    "changed": "在应用之外被修改",
    "deleted": "在应用之外被删除",
    "inserted": "不在审计链中（在应用之外插入）",
}


@audit_group.command("verify")
@click.option("--chain-only", is_flag=True, help="walk the chain only, without checking the rows against it")
def audit_verify(chain_only: bool):
    """Walk the chain, then compare every audited row with its last digest in it; exit 1 and
    name what was tampered with: a broken link, or each row changed, deleted or inserted
    outside the application. Stored files: ``fieldapp audit files``."""
    from fieldapp.services import audit, tamper

    verdict = audit.verify()
    click.echo(verdict.message)
    if not verdict.ok or chain_only:
        raise SystemExit(0 if verdict.ok else 1)
    started = time.monotonic()
    report = tamper.check_rows(progress=lambda name, n: click.echo(f"  …{name}，已核对 {n} 行", err=True))
    for f in report.findings:
        click.echo(f"{f.object_type} #{f.object_id}：{ROW_FINDINGS[f.kind]}")
    click.echo(f"核对 {report.checked} 行，{len(report.findings)} 处不符（{time.monotonic() - started:.1f} 秒）。")
    raise SystemExit(1 if report.findings else 0)


@audit_group.command("files")
@click.option("--resume", is_flag=True, help="go on from where the last run stopped")
@click.option("--limit", type=int, default=None, help="at most this many files in this run")
def audit_files(resume: bool, limit: int | None):
    """Hash every stored file again and compare it with the SHA-256 it was stored under; exit 1 if
    any differs or is missing. Resumable (--resume, the position kept in the instance folder),
    with progress on stderr."""
    from fieldapp.config import INSTANCE_DIR
    from fieldapp.services import tamper

    state_path = INSTANCE_DIR / "audit-files.json"
    state = json.loads(state_path.read_text()) if resume and state_path.exists() else {"last_id": 0, "findings": []}
    started = time.monotonic()

    def progress(report):
        rate = report.bytes / max(time.monotonic() - started, 1e-9) / 1e6
        click.echo(
            f"  …已核对 {report.checked} 个文件（至 #{report.last_id}，{report.bytes / 1e6:.0f} MB，{rate:.0f} MB/s）",
            err=True,
        )
        state_path.write_text(json.dumps({**state, "last_id": report.last_id}))

    report = tamper.check_files(after_id=state["last_id"], limit=limit, progress=progress)
    findings = state["findings"] + [
        {"kind": f.kind, "media_id": f.media_id, "sha256": f.sha256} for f in report.findings
    ]
    state_path.write_text(json.dumps({"last_id": report.last_id, "findings": findings}))
    for f in findings:
        said = "内容与存档校验值不符（文件被替换或损坏）" if f["kind"] == "mismatch" else "文件缺失"
        click.echo(f"文件 #{f['media_id']}（{f['sha256'][:12]}…）：{said}")
    seconds = time.monotonic() - started
    click.echo(
        f"本次核对 {report.checked} 个文件、{report.bytes / 1e6:.0f} MB，{seconds:.1f} 秒；{len(findings)} 处不符。"
    )
    if limit is None or report.checked < limit:
        state_path.unlink(missing_ok=True)  # a whole pass: the next starts from the beginning
    raise SystemExit(1 if findings else 0)


@audit_group.command("baseline")
@click.option(
    "--include-changed", is_flag=True, help="also accept rows found changed (only after a person has looked at each)"
)
def audit_baseline(include_changed: bool):
    """Record in the chain the present state of rows it cannot vouch for: rows created before the
    trail named the rows it created (releases before 2026-12-06) or written by a migration. Run
    once after upgrading, after `audit verify` has been read."""
    from fieldapp.services import tamper

    click.echo(f"已记入审计链：{tamper.baseline(include_changed)} 行。")


@audit_group.command("head")
def audit_head():
    """Print the chain's head (position and hash) to be printed, signed and stamped daily."""
    from fieldapp.services import audit

    click.echo(json.dumps(audit.head(), ensure_ascii=False))


@audit_group.command("contains")
@click.argument("seq", type=int)
@click.argument("digest")
def audit_contains(seq: int, digest: str):
    """Check that a stamped head (SEQ and hash) is still in the chain: history not rewritten."""
    from fieldapp.services import audit

    found = audit.contains(seq, digest)
    click.echo("链中仍有该链头：此前的记录未被改写。" if found else "链中找不到该链头：历史记录已被改写！")
    raise SystemExit(0 if found else 1)


group.add_command(audit_group)


@group.command("create-admin")
@click.option("--unit-code", required=True, help="The district's (or city's) code, e.g. its administrative code.")
@click.option("--unit-name", required=True, help="Its name, e.g. 吴中区应急管理局.")
@click.option("--kind", type=click.Choice(["district", "city"]), default="district", show_default=True)
@click.option("--username", required=True)
@click.option("--name", default="", help="The admin's name as shown in the app.")
@click.password_option(envvar="FIELDAPP_ADMIN_PASSWORD", help="Asked for twice when not given.")
def create_admin(unit_code: str, unit_name: str, kind: str, username: str, name: str, password: str):
    """A new install's first account: the top unit of the organisation and its admin."""
    from fieldapp.services import users

    try:
        user = users.first_admin(unit_code, unit_name, kind, username, name, password)
    except users.UserInputError as exc:
        raise click.ClickException("；".join(exc.errors.values())) from exc
    click.echo(f"已创建顶层单位 {unit_name} 及其管理员 {user.username}：请用此账号登录，在系统中新建其他账号。")


calendar_group = AppGroup("calendar", help="The working-day calendar.")


@calendar_group.command("load")
def calendar_load():
    """Load the State Council's holidays and working weekends (the chinesecalendar package) for
    every year it covers; admins' own entries are kept. Run at install and yearly (its timer)."""
    from fieldapp import clock
    from fieldapp.services import workdays

    done = workdays.load_official()
    click.echo(
        f"国务院节假日安排：{done.first_year}–{done.last_year} 年，新增 {done.added} 天，"
        f"更正 {done.changed} 天，保留管理员设置 {done.kept} 天。"
    )
    coming = clock.today().year + 1
    if done.last_year < coming:
        click.echo(
            f"尚无 {coming} 年的安排（国务院通常在前一年 11–12 月公布）：公布后升级 chinesecalendar 再运行；"
            "在此之前请管理员在“节假日设置”中录入。"
        )


group.add_command(calendar_group)


def init_app(app: Flask) -> None:
    app.cli.add_command(group)


@group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True), required=False)
@click.option("--into", type=click.Path(file_okay=False), help="A folder: the archive is named by the time.")
@click.option("--keep-days", type=click.IntRange(min=1), help="With --into: remove archives older than this.")
def backup_command(path: str | None, into: str | None, keep_days: int | None):
    """Write a consistent archive of the database and every stored file to PATH (a .tar), or
    into a folder with --into (the scheduled backup, with --keep-days its retention)."""
    from fieldapp.services import backup, backup_schedule

    if (path is None) == (into is None) or (keep_days and not into):
        raise click.UsageError("请给出备份文件 PATH，或用 --into 指定文件夹（--keep-days 只与 --into 一起用）。")
    try:
        if into:
            path, summary, removed = backup_schedule.backup_into(into, keep_days or 10**6)
            for old in removed:
                click.echo(f"已删除过期备份：{old}")
        else:
            summary = backup.backup(path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"备份完成：{path}，{summary.describe()}。")


@group.command("restore-drill")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_drill_command(path: str):
    """Prove an archive restores: into a scratch database (never this app's), audit chain verified."""
    from fieldapp.services import backup, backup_schedule

    try:
        result = backup_schedule.drill(path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.output)
    click.echo(f"恢复演练{'通过' if result.ok else '失败'}：{path}")
    raise SystemExit(0 if result.ok else 1)


@group.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--check-only", is_flag=True, help="Only check the archive against its manifest.")
def restore_command(path: str, check_only: bool):
    """Restore an archive into this app's new, empty (migrated) database and its storage."""
    from fieldapp.services import audit, backup

    try:
        if check_only:
            manifest = backup.check(path)
            click.echo(f"备份完整：{sum(manifest['tables'].values())} 行，{len(manifest['media'])} 个文件。")
            return
        summary = backup.restore(path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    verdict = audit.verify()
    click.echo(f"恢复完成：{summary.describe()}。审计链：{verdict.message}")
    raise SystemExit(0 if verdict.ok else 1)
