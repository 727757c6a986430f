"""The deployment's service units, timers and crontab name only what exists, and every scheduled
job runs with the instances' environment (issue 33): the job wrapper loads the environment file,
refuses to run without DATABASE_URL (a job once created an empty SQLite database instead), and
each job it names is a command of the app."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
WRAPPER = DEPLOY / "fieldapp-job"
APP, VENV, ENV_FILE = "/srv/fieldapp/app", "/srv/fieldapp/venv", "/etc/fieldapp/fieldapp.env"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser


def _jobs() -> list[str]:
    return subprocess.run([WRAPPER, "--list"], capture_output=True, text=True, check=True).stdout.split()


def _here(path: str) -> Path:
    """A path of the server's layout, on this checkout."""
    return Path(path.replace(APP, str(ROOT)).replace(VENV, str(Path(sys.executable).parent.parent)))


def test_every_service_runs_as_the_app_user_with_the_environment_file():
    services = sorted(UNITS.glob("*.service"))
    assert {p.name for p in services} == {"fieldapp@.service", "fieldapp-job@.service", "fieldapp-notifier.service"}
    for path in services:
        service = _unit(path)["Service"]
        assert service["EnvironmentFile"] == ENV_FILE and service["User"] == "fieldapp", path.name
        executable, *args = service["ExecStart"].split()
        assert os.access(_here(executable), os.X_OK), f"{path.name}: {executable} is not in the layout"
        assert service["WorkingDirectory"] == APP
        if "-c" in args:
            assert (ROOT / args[args.index("-c") + 1]).is_file()


def test_every_job_has_a_timer_and_a_crontab_line_and_nothing_else_is_scheduled():
    jobs = _jobs()
    timers = {_unit(p)["Timer"]["Unit"]: p for p in UNITS.glob("*.timer")}
    assert set(timers) == {f"fieldapp-job@{job}.service" for job in jobs}
    for unit, path in timers.items():
        assert path.name == unit.replace("-job@", "-").replace(".service", ".timer")
    crontab = [line for line in (DEPLOY / "crontab").read_text().splitlines() if re.match(r"^[0-9*]", line)]
    assert sorted(re.search(r"\$JOB (\S+)", line).group(1) for line in crontab) == sorted(jobs)
    assert "JOB=/srv/fieldapp/app/deploy/fieldapp-job" in (DEPLOY / "crontab").read_text()


# systemd is the deployment's, not the suite's: a machine without it (a minimal container) still runs
# the parsing tests above and the job test below; on this project's machines it is there.
@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not on this machine")
def test_systemd_accepts_the_units(tmp_path):
    """systemd's own check of every unit (syntax, calendar expressions, the commands it would
    run) on copies whose server paths point at this checkout and its virtualenv."""
    for path in UNITS.iterdir():
        (tmp_path / path.name).write_text(str(_here(path.read_text())), encoding="utf-8")
    (tmp_path / "fieldapp@8000.service").symlink_to(tmp_path / "fieldapp@.service")
    names = ["fieldapp@8000.service", "fieldapp-notifier.service", *sorted(p.name for p in tmp_path.glob("*.timer"))]
    checked = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names], cwd=tmp_path, capture_output=True, text=True
    )
    complaints = [line for line in checked.stderr.splitlines() if "fieldapp" in line]
    assert checked.returncode == 0 and not complaints, checked.stderr


def _fake_venv(tmp_path: Path) -> Path:
    """A virtualenv whose flask asks the real one for the command's --help: the job's command
    line is checked against the app's commands without running the job."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    flask = venv / "bin" / "flask"
    flask.write_text(f'#!/bin/sh\nexec "{Path(sys.executable).parent / "flask"}" "$@" --help\n')
    flask.chmod(0o755)
    return venv


def test_each_job_loads_the_environment_file_and_names_a_command_of_the_app(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "fieldapp-20261206-013000.tar").write_bytes(b"")  # for the drill to pick
    env_file = tmp_path / "fieldapp.env"
    env_file.write_text(
        f"DATABASE_URL=sqlite:///{tmp_path / 'jobs.db'}\nFIELDAPP_INSTANCE={tmp_path}\nBACKUP_DIR={backups}\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BACKUP_DIR")}
    env.update(FIELDAPP_ENV=str(env_file), FIELDAPP_VENV=str(_fake_venv(tmp_path)))
    for job in _jobs():
        ran = subprocess.run([WRAPPER, job], env=env, capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0 and "Usage: flask" in ran.stdout, f"{job}: {ran.stdout}{ran.stderr}"

    env_file.write_text("LOG_JSON=1\n")
    refused = subprocess.run([WRAPPER, "remind"], env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "DATABASE_URL" in refused.stderr
    missing = subprocess.run(
        [WRAPPER, "remind"], env=env | {"FIELDAPP_ENV": "/nonexistent"}, capture_output=True, text=True
    )
    assert missing.returncode == 2 and "/nonexistent" in missing.stderr
    unknown = subprocess.run(
        [WRAPPER, "reboot"], env=env | {"DATABASE_URL": "sqlite://"}, capture_output=True, text=True
    )
    assert unknown.returncode == 2 and "usage: fieldapp-job" in unknown.stderr
