"""A second bizunosync site on loopback, in its own process with its own database.

The test process is one site (books side, and its live server a store); a
many-stores test needs stores that are really apart: this starts one more
bizunosync (`manage.py runserver --noreload`) on a fresh SQLite file, with a
WordPress-style sync user, so the books side pushes to it over HTTP as to any
bizuno-api store. Its database is read directly (sqlite3) to see what arrived.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent.parent

SETUP = """
from django.contrib.auth.models import Permission, User
u = User.objects.create_user({username!r}, email={email!r}, password={password!r}, is_staff=True)
u.user_permissions.add(Permission.objects.get(codename="manage_store_sync"))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StoreSite:
    def __init__(self, login=("shop@example.com", "shop-password-2")):
        self.folder = Path(tempfile.mkdtemp(prefix="bizunosync-store-site-"))
        self.db = self.folder / "db.sqlite3"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.email, self.password = login
        self.env = {
            # Its own everything: no shared cache, queue or mail settings from the test run's environment.
            **{k: v for k, v in os.environ.items()
               if not k.startswith(("DJANGO_", "PYTEST_")) and k not in ("CACHE_URL", "RQ_URL", "EMAIL_URL")},
            "DJANGO_SETTINGS_MODULE": "bridge.settings",
            "DEBUG": "true",
            "SECRET_KEY": "second-store-site-secret",
            "FIELD_ENCRYPTION_KEY": "second-store-site-field-key",
            "DATABASE_URL": f"sqlite:///{self.db}",
            "MEDIA_ROOT": str(self.folder / "media"),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URLS": "",
        }
        self.proc = None

    def manage(self, *args: str, check=True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=120, check=check)

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code).stdout

    def start(self) -> StoreSite:
        self.manage("migrate", "-v0")
        self.shell(SETUP.format(username="shop", email=self.email, password=self.password))
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                requests.get(self.url + "/wp-json/bizuno-api/v1/", timeout=0.5)
                return self
            except requests.ConnectionError:
                if self.proc.poll() is not None:
                    raise RuntimeError("the second store site did not start")
                time.sleep(0.05)
        raise RuntimeError("the second store site did not answer in 15 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def rows(self, sql: str, params=()) -> list[tuple]:
        with sqlite3.connect(self.db, timeout=20) as db:
            return db.execute(sql, params).fetchall()
