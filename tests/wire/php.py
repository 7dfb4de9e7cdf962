"""One php-cli process per batch of codec cases: the reference for the wire.

Cases go in as a JSON array on stdin, answers come back as a JSON array, so
hundreds of cases cost one PHP start-up. Installed PHP: Debian's 8.2 (see
phpform.py for where 8.2 and 8.3 differ).
"""

from __future__ import annotations

import json

from tests.phpcli import run_php

# encode: http_build_query of the JSON structure (objects become PHP arrays,
# so {"0": …} gets an integer key, exactly as PHP would hold it).
# decode: parse_str of the body, answered as json_encode does: a PHP list
# (keys 0..n-1 in order) is a JSON list, anything else an object.
# count: how many variables parse_str kept (recursive leaf count).
HARNESS = r"""
$cases = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
$out = [];
foreach ($cases as $c) {
    if ($c['op'] === 'encode') {
        $out[] = http_build_query($c['data']);
    } else {
        $r = [];
        parse_str(base64_decode($c['body']), $r);
        $out[] = $r;
    }
}
echo json_encode($out, JSON_THROW_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE);
"""


def _body(body: str | bytes) -> str:
    import base64

    raw = body.encode("utf-8") if isinstance(body, str) else body
    return base64.b64encode(raw).decode("ascii")


def php_encode_many(structures: list, ini: dict | None = None) -> list[str]:
    cases = [{"op": "encode", "data": s} for s in structures]
    return json.loads(run_php(HARNESS, json.dumps(cases).encode(), ini=ini))


def php_decode_many(bodies: list, ini: dict | None = None) -> list:
    cases = [{"op": "decode", "body": _body(b)} for b in bodies]
    return json.loads(run_php(HARNESS, json.dumps(cases).encode(), ini=ini))


def as_json_shape(value):
    """Our decoded dicts as PHP's json_encode shows them: sequential keys → list."""
    if isinstance(value, dict):
        if value and list(value) == [str(i) for i in range(len(value))]:
            return [as_json_shape(v) for v in value.values()]
        if not value:
            return []
        return {k: as_json_shape(v) for k, v in value.items()}
    return value
