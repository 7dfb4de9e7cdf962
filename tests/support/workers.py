"""Real task workers and the scheduler as subprocesses, on the test's database and queue.

For tests that need separate processes (kill -9, several workers at once):
the subprocesses read the test database (``transaction=True`` tests only:
they cannot see a test's uncommitted rows) and, on the RQ pass, the same Redis
queue. The backend follows the pass: the database backend by default, RQ
with TASKS_BACKEND=rq.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from . import rq

ROOT = Path(__file__).resolve().parents[2]


def backend_setting() -> dict:
    """The TASKS setting the test process uses to enqueue for these workers."""
    if rq.active():
        return {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def env(**extra) -> dict:
    values = dict(os.environ)
    values.update(
        DJANGO_SETTINGS_MODULE="bridge.settings_test",
        DATABASE_URL=_database_url(),
        TASKS_BACKEND="rq" if rq.active() else "database",
        PYTHONUNBUFFERED="1",
    )
    values.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    values.update({k: str(v) for k, v in extra.items()})
    return values


class Proc:
    """A manage.py subprocess in its own process group (kill -9 takes its children: RQ's work horse)."""

    def __init__(self, name: str, args: list[str], log_dir: Path, **env_extra):
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._fh = open(self.log, "wb")
        self.popen = subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env(**env_extra), stdout=self._fh,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def kill9(self) -> None:
        """SIGKILL the worker and everything under it (RQ's work horse runs in a session of its own)."""
        for pid in [self.popen.pid, *_descendants(self.popen.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.popen.wait(timeout=10)
        self._fh.close()

    def stop(self) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill9()
                return
        if not self._fh.closed:
            self._fh.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def worker(name: str, log_dir: Path, **env_extra) -> Proc:
    if rq.active():
        # The default forking worker, as in production, with RQ's scheduler for deferred retries.
        return Proc(name, ["rqworker", "--with-scheduler", "--name", f"{name}-{os.getpid()}", "default"], log_dir,
                    **env_extra)
    return Proc(name, ["db_worker", "--no-reload", "--interval", "0.1", "--no-startup-delay", "--worker-id", name],
                log_dir, **env_extra)


def scheduler(log_dir: Path, interval: float = 0.5, **env_extra) -> Proc:
    return Proc("scheduler", ["sync_scheduler", "--interval", str(interval)], log_dir, **env_extra)


def wait_for(predicate, timeout: float, every: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
