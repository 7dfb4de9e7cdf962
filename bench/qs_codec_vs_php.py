"""Does qs-codec speak PHP's form encoding? Runs our conformance table through it.

Usage: .venv/bin/pip install qs-codec==1.6.3 && .venv/bin/python bench/qs_codec_vs_php.py

For every case in tests/wire/cases.py it prints whether qs-codec (with the
options closest to PHP: indices lists, RFC 1738 spaces, nulls skipped,
empty lists dropped, last duplicate wins, depth 64) gives what PHP gives
(http_build_query for encoding, parse_str for decoding), next to ours.
The verdict is recorded in bizunosync/wire/phpform.py's docstring.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bizunosync.wire import phpform  # noqa: E402
from tests.wire.cases import DECODE_CASES, ENCODE_CASES  # noqa: E402
from tests.wire.php import as_json_shape, php_decode_many, php_encode_many  # noqa: E402

try:
    import qs_codec
    from qs_codec import DecodeOptions, Duplicates, EncodeOptions, Format, ListFormat
except ImportError:  # pragma: no cover - the package is installed only to run this
    sys.exit("qs-codec is not installed: .venv/bin/pip install qs-codec==1.6.3")

ENCODE_OPTIONS = EncodeOptions(
    list_format=ListFormat.INDICES, format=Format.RFC1738, skip_nulls=True, allow_empty_lists=False
)
DECODE_OPTIONS = DecodeOptions(
    depth=64, parameter_limit=100_000, list_limit=100_000, duplicates=Duplicates.LAST, allow_dots=False
)


def shape(value):
    """qs-codec answers lists as lists; PHP's json_encode shows lists as lists too."""
    if isinstance(value, list):
        return [shape(v) for v in value]
    if isinstance(value, dict):
        return as_json_shape({str(k): shape(v) for k, v in value.items()}) if value else []
    return value


def attempt(fn):
    try:
        return fn()
    except Exception as exc:  # a crash is a mismatch, not the end of the run
        return f"<{type(exc).__name__}: {exc}>"


def main() -> int:
    print(f"qs-codec {getattr(qs_codec, '__version__', '?')} against PHP, {len(ENCODE_CASES)} encode + "
          f"{len(DECODE_CASES)} decode cases\n")
    qs_ok = ours_ok = 0
    total = 0
    expected = php_encode_many(list(ENCODE_CASES.values()))
    for (name, data), php in zip(ENCODE_CASES.items(), expected):
        theirs = attempt(lambda: qs_codec.encode(data, ENCODE_OPTIONS))
        ours = attempt(lambda: phpform.encode(data))
        total += 1
        qs_ok += theirs == php
        ours_ok += ours == php
        mark = "ok  " if theirs == php else "FAIL"
        print(f"{mark} encode  {name}")
        if theirs != php:
            print(f"       php: {php[:110]}\n        qs: {str(theirs)[:110]}")
    expected = php_decode_many(list(DECODE_CASES.values()))
    for (name, body), php in zip(DECODE_CASES.items(), expected):
        php_text = json.dumps(php, ensure_ascii=False)
        theirs = attempt(lambda: json.dumps(shape(qs_codec.decode(body, DECODE_OPTIONS)), ensure_ascii=False))
        ours = attempt(lambda: json.dumps(as_json_shape(phpform.decode(body)), ensure_ascii=False))
        total += 1
        qs_ok += theirs == php_text
        ours_ok += ours == php_text
        mark = "ok  " if theirs == php_text else "FAIL"
        print(f"{mark} decode  {name}")
        if theirs != php_text:
            print(f"       php: {php_text[:110]}\n        qs: {str(theirs)[:110]}")
    print(f"\nqs-codec matches PHP in {qs_ok} of {total} cases; bizunosync.wire.phpform in {ours_ok} of {total}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
