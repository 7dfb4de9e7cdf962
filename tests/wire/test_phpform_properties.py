"""Generated structures through the codec, and through real PHP in batches.

Generated keys stay away from what PHP rewrites or cannot represent (brackets
in keys, `.`/space in top-level names, empty or lone-whitespace nested keys,
which mean "append")
and from negative keys followed by appends, where PHP versions differ. Those
edges are pinned one by one in tests/wire/cases.py instead.
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bizunosync.wire import phpform
from tests.phpcli import needs_php
from tests.wire.php import as_json_shape, php_decode_many, php_encode_many

TRICKY = " +%~&=#;'\"/?:@,!$*()<>\\|^`{}-_.\t\n" + "äöüß€日本🙂"
inner_key_chars = st.characters(blacklist_characters="[]\x00", blacklist_categories=("Cs",))
top_key_chars = st.sampled_from(string.ascii_letters + string.digits + "-_~%&=+#äß€🙂")

inner_keys = st.one_of(
    st.text(inner_key_chars, min_size=1, max_size=6),
    st.text(TRICKY.replace("]", ""), min_size=1, max_size=4),
    st.integers(0, 10_000).map(str),
).filter(lambda key: key not in phpform._LONE_SPACE)  # PHP reads `a[ ]` as `a[]`
top_keys = st.one_of(st.text(top_key_chars, min_size=1, max_size=6), st.integers(0, 99).map(str))
text_values = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.text(st.sampled_from(TRICKY), max_size=8),
    st.text(st.sampled_from("[]ab-.9"), max_size=6),  # bodies whose only escapes are brackets: decode's fastest path
)
leaves = st.one_of(text_values, st.integers(-(2**62), 2**62))


def nested(children):
    return st.one_of(st.lists(children, max_size=4), st.dictionaries(inner_keys, children, max_size=4))


trees = st.recursive(leaves, nested, max_leaves=20)
forms = st.dictionaries(top_keys, trees, max_size=5)


def normalised(value):
    """What PHP hands back: lists as "0".."n-1" maps, strings everywhere,
    canonical integer keys, empty arrays gone (also when emptied by that)."""
    if isinstance(value, (list, tuple)):
        value = {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = normalised(item)
            if item is None or item == {}:
                continue
            out[phpform._key(str(key))] = item
        return out
    if value is None:
        return None
    return phpform._scalar(value)


@given(forms)
def test_decode_reads_back_whatever_encode_writes(form):
    assert phpform.decode(phpform.encode(form)) == normalised(form)


rows = st.one_of(st.dictionaries(inner_keys, trees, max_size=4), st.lists(trees, max_size=3))


@given(top_keys, st.lists(rows, max_size=6))
def test_rows_encoded_one_by_one_join_into_the_body_encode_writes_for_the_whole_list(name, listed):
    encoded = [phpform.encode_row(name, row) for row in listed]

    assert phpform.encode_list(encoded) == phpform.encode({name: listed})
    assert [row.fields for row in encoded] == [phpform.count_fields(row) for row in listed]
    assert phpform.encode(phpform.encode_list(encoded)) == phpform.encode({name: listed})  # taken as it is


@given(forms)
def test_encode_never_writes_more_variables_than_leaves(form):
    body = phpform.encode(form)
    leaves_in = sum(1 for _ in _walk_leaves(normalised(form)))
    assert phpform.count_vars(body) == leaves_in


def _walk_leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk_leaves(item)
    else:
        yield value


# PHP agreement: each example is a batch of structures sent to ONE php process.
php_leaves = st.one_of(
    leaves, st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64)
)
php_trees = st.recursive(php_leaves, nested, max_leaves=15)
php_forms = st.dictionaries(top_keys, php_trees, max_size=5)


@needs_php
@pytest.mark.php
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(php_forms, min_size=40, max_size=40))
def test_encode_agrees_with_http_build_query_on_generated_structures(batch):
    # JSON object keys that look like integers become integer keys in PHP,
    # exactly as phpform treats them; json.dumps keeps our key order.
    expected = php_encode_many(json.loads(json.dumps(batch)))
    for form, php_body in zip(batch, expected):
        assert phpform.encode(form) == php_body, form


@needs_php
@pytest.mark.php
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(forms, min_size=40, max_size=40))
def test_decode_agrees_with_parse_str_on_generated_bodies(batch):
    bodies = [phpform.encode(form) for form in batch]
    for body, php_value in zip(bodies, php_decode_many(bodies)):
        assert json.dumps(as_json_shape(phpform.decode(body))) == json.dumps(php_value), body
