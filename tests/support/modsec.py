"""A private Apache + ModSecurity + OWASP CRS reverse proxy for tests (PROTOCOL §5).

Bizuno and the plugin usually sit behind a WAF; the facts we rely on (PUT is
blocked at paranoia level 1, a POST with ``X-HTTP-Method-Override: PUT``
passes, non-printable header bytes get a 400) are only worth something when a
real WAF shows them.  This module starts one: Debian's ``apache2`` with
``mod_security2`` and the packaged CRS, in its own temporary directory, on its
own loopback port, never touching the system Apache, its config or port 80.

Usage::

    from tests.support.modsec import waf_proxy

    with waf_proxy(live_server.url) as proxy_url:    # paranoia=1 by default
        requests.put(proxy_url + "/wp-json/...")     # -> 403 HTML from Apache
        proxy_url.error_log()                        # Apache/ModSecurity log text
        proxy_url.rule_ids()                         # {"911100", "949110", ...} matched so far

The log lives in the proxy's temporary folder and is gone when the block ends:
read it inside.

or the fixture (import it into a conftest or test module)::

    from tests.support.modsec import waf_proxy_factory  # noqa: F401

    def test_x(live_server, waf_proxy_factory):
        proxy_url = waf_proxy_factory(live_server.url)

The tests are skipped (with the reason) when Apache or mod_security2 or the
CRS is not installed; ``.ci/run`` installs all three.

Observed with Debian 12's Apache 2.4 + ModSecurity 2.9.7 + CRS 3.3.4 at paranoia
level 1 (test_modsec.py): plain PUT → 403 HTML page (rule 911100, score 5);
POST with ``X-HTTP-Method-Override: PUT`` → passes; a header value with a
control byte (NUL, SOH, ESC, DEL) → 400 from Apache's own parser, before any
rule runs.  At level 2 python-requests' User-Agent (913101) and a JSON list
in a form field (942430) are blocked.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

APACHE = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
CRS_SETUP = Path("/etc/modsecurity/crs/crs-setup.conf")
CRS_BEFORE = Path("/etc/modsecurity/crs/REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf")
CRS_RULES = Path("/usr/share/modsecurity-crs/rules")
CRS_AFTER = Path("/etc/modsecurity/crs/RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf")
UNICODE_MAP = Path("/etc/modsecurity/unicode.mapping")

# Only what a reverse proxy with ModSecurity needs.
NEEDED_MODULES = {
    "mpm_event_module": "mod_mpm_event.so",
    "authz_core_module": "mod_authz_core.so",
    "unique_id_module": "mod_unique_id.so",  # mod_security2 depends on it
    "headers_module": "mod_headers.so",
    "proxy_module": "mod_proxy.so",
    "proxy_http_module": "mod_proxy_http.so",
    "security2_module": "mod_security2.so",
}

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0


def missing_parts() -> str | None:
    """Why a WAF proxy cannot run here, or None when it can."""
    if not os.path.exists(APACHE):
        return f"apache2 is not installed ({APACHE} missing; apt-get install apache2)"
    for so in NEEDED_MODULES.values():
        if not (MODULES / so).exists():
            package = "libapache2-mod-security2" if "security" in so else "apache2"
            return f"Apache module {MODULES / so} missing (apt-get install {package})"
    if not CRS_SETUP.exists() or not CRS_RULES.is_dir():
        return "OWASP CRS is not installed (apt-get install modsecurity-crs)"
    return None


def skip_unless_waf() -> None:
    reason = missing_parts()
    if reason:
        pytest.skip(f"WAF tests skipped: {reason}")


class WafProxy(str):
    """The proxy's base URL (``http://localhost:PORT``), plus its log."""

    error_log_path: Path
    pid: int  # Apache's parent, leader of its own process group

    def __new__(cls, url: str, error_log_path: Path, pid: int):
        self = super().__new__(cls, url)
        self.error_log_path = error_log_path
        self.pid = pid
        return self

    @property
    def url(self) -> str:
        return str(self)

    def error_log(self) -> str:
        """Apache's error log; ModSecurity writes each rule match there (with its id)."""
        try:
            return self.error_log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def rule_ids(self) -> set[str]:
        """Ids of the ModSecurity rules that matched so far (e.g. 911100, 949110)."""
        return set(re.findall(r'\[id "(\d+)"\]', self.error_log()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(root: Path, port: int, upstream: str, paranoia: int, threshold: int) -> str:
    upstream = upstream.rstrip("/") + "/"
    loads = "\n".join(f"LoadModule {name} {MODULES / so}" for name, so in NEEDED_MODULES.items())
    # Running as root (CI containers), Apache's children switch to www-data.
    user = ""
    if os.geteuid() == 0:
        user = "User www-data\nGroup www-data"
    return f"""\
# Generated by tests/support/modsec.py for one test run; not the system Apache.
ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/apache.pid"
DefaultRuntimeDir "{root}"
Mutex file:{root} default
ErrorLog "{root}/error.log"
LogLevel warn
{user}
{loads}

StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
KeepAlive On
Timeout 30

<Directory />
    Require all denied
</Directory>

# ---- ModSecurity: Debian's modsecurity.conf-recommended, engine On, files in {root}
SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\\+|/)|text/)xml" \\
     "id:'200000',phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "^application/json" \\
     "id:'200001',phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 131072
SecRequestBodyInMemoryLimit 131072
SecRequestBodyLimitAction Reject
SecRule REQBODY_ERROR "!@eq 0" \\
    "id:'200002',phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.',logdata:'%{{reqbody_error_msg}}',severity:2"
SecRule MULTIPART_STRICT_ERROR "!@eq 0" \\
    "id:'200003',phase:2,t:none,log,deny,status:400,msg:'Multipart request body failed strict validation'"
SecRule MULTIPART_UNMATCHED_BOUNDARY "!@eq 0" \\
    "id:'200004',phase:2,t:none,log,deny,msg:'Multipart parser detected a possible unmatched boundary.'"
SecPcreMatchLimit 100000
SecPcreMatchLimitRecursion 100000
SecRule TX:/^MSC_/ "!@streq 0" \\
    "id:'200005',phase:2,t:none,deny,msg:'ModSecurity internal error flagged: %{{MATCHED_VAR_NAME}}'"
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain text/html text/xml
SecResponseBodyLimit 524288
SecResponseBodyLimitAction ProcessPartial
SecTmpDir "{root}/tmp"
SecDataDir "{root}/data"
SecAuditEngine Off
SecArgumentSeparator &
SecCookieFormat 0
SecUnicodeMapFile {UNICODE_MAP} 20127
SecStatusEngine Off

# ---- OWASP CRS as Debian's owasp-crs.load includes it, with our paranoia level
# and threshold set before REQUEST-901 fills in its defaults.
Include {CRS_SETUP}
SecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level={paranoia}"
SecAction "id:900001,phase:1,nolog,pass,t:none,setvar:tx.executing_paranoia_level={paranoia}"
SecAction "id:900110,phase:1,nolog,pass,t:none,setvar:tx.inbound_anomaly_score_threshold={threshold},setvar:tx.outbound_anomaly_score_threshold=4"
IncludeOptional {CRS_BEFORE}
Include {CRS_RULES}/*.conf
IncludeOptional {CRS_AFTER}

# ---- Reverse proxy everything to the upstream.
ProxyRequests Off
ProxyPreserveHost On
ProxyPass / {upstream}
ProxyPassReverse / {upstream}
"""


def _wait_for_port(proc: subprocess.Popen, port: int, error_log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = error_log.read_text(errors="replace") if error_log.exists() else ""
            raise RuntimeError(f"Apache exited with {proc.returncode}:\n{log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"Apache did not answer on 127.0.0.1:{port} within {START_TIMEOUT}s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(STOP_TIMEOUT)


@contextlib.contextmanager
def waf_proxy(upstream_url: str, paranoia: int = 1, anomaly_threshold: int = 5):
    """Run Apache + ModSecurity + CRS in front of ``upstream_url``; yield its base URL.

    Skips the calling test when the packages are missing.  The yielded value
    is a ``str`` (``http://localhost:PORT``; Apache listens on 127.0.0.1) with
    an ``error_log()`` method.
    """
    skip_unless_waf()
    if urlsplit(upstream_url).scheme not in ("http", "https"):
        raise ValueError(f"upstream must be an http(s) URL, got {upstream_url!r}")
    root = Path(tempfile.mkdtemp(prefix="waf-"))
    try:
        for sub in ("tmp", "data"):
            (root / sub).mkdir()
        if os.geteuid() == 0:
            # The children run as www-data and write ModSecurity's tmp/data files.
            www = pwd.getpwnam("www-data")
            os.chmod(root, 0o755)
            for sub in ("tmp", "data"):
                os.chown(root / sub, www.pw_uid, www.pw_gid)
        error_log = root / "error.log"
        last_error: Exception | None = None
        for _attempt in range(3):  # another process may grab the free port first
            port = _free_port()
            conf = root / "apache.conf"
            conf.write_text(_config(root, port, upstream_url, paranoia, anomaly_threshold))
            with open(root / "stderr.log", "wb") as stderr:
                proc = subprocess.Popen(
                    [APACHE, "-f", str(conf), "-DFOREGROUND"],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    start_new_session=True,  # own process group: we stop it and all its children
                    env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"},
                )
            try:
                _wait_for_port(proc, port, error_log)
            except RuntimeError as exc:
                _stop(proc)
                last_error = exc
                if "Address already in use" not in str(exc):
                    break
                continue
            try:
                # A host name, not 127.0.0.1: CRS scores a numeric Host header (rule
                # 920350, 3 points), which real deployments behind a name never send.
                yield WafProxy(f"http://localhost:{port}", error_log, proc.pid)
            finally:
                _stop(proc)
            return
        stderr = (root / "stderr.log").read_text(errors="replace")
        raise RuntimeError(f"could not start the WAF proxy: {last_error}\n{stderr}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def waf_proxy_factory():
    """Call ``waf_proxy_factory(upstream_url, paranoia=1)`` → proxy base URL; stopped at teardown."""
    with contextlib.ExitStack() as stack:

        def start(upstream_url: str, paranoia: int = 1, anomaly_threshold: int = 5) -> WafProxy:
            return stack.enter_context(waf_proxy(upstream_url, paranoia, anomaly_threshold))

        yield start
