"""Run real PHP (php-cli) from tests: the reference for the wire."""

import shutil
import subprocess

import pytest

PHP = shutil.which("php")

needs_php = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (.ci/run installs it)")


def run_php(code: str, stdin: bytes = b"", ini: dict | None = None) -> bytes:
    args = [PHP, "-n", "-d", "error_reporting=E_ALL", "-d", "display_errors=stderr"]
    for key, value in (ini or {}).items():
        args += ["-d", f"{key}={value}"]
    done = subprocess.run(args + ["-r", code], input=stdin, capture_output=True, timeout=30, check=True)
    return done.stdout
