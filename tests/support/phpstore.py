"""A plugin-shaped store served by real PHP (`php -S`), with PHP's max_input_vars in force.

`plugin_store.php` parses each request as WordPress does and records what PHP kept; the
tests read that record to see what a real PHP store would have received.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import requests

from tests.phpcli import PHP

ROUTER = Path(__file__).with_name("plugin_store.php")


class PhpStore:
    def __init__(self, folder: Path, max_input_vars: int = 1000):
        self.record = folder / "received.jsonl"
        self.record.write_text("")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [PHP, "-n", "-d", f"max_input_vars={max_input_vars}", "-d", "display_errors=0",
             "-S", f"127.0.0.1:{port}", str(ROUTER)],
            env={**os.environ, "RECORD_FILE": str(self.record)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                requests.get(self.url + "/", timeout=0.2)
                break
            except requests.ConnectionError:
                time.sleep(0.02)
        self.clear()

    def clear(self) -> None:
        self.record.write_text("")

    def received(self) -> list[dict]:
        """One dict per request: path, method, sent_vars, kept_vars, count_recursive, items, data."""
        return [json.loads(line) for line in self.record.read_text().splitlines() if line]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=5)
