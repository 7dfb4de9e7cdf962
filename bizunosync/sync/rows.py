"""Read and write many rows in one statement, the way the database does it cheapest.

Django's ``bulk_update`` builds a ``CASE WHEN pk=… THEN …`` expression per
row per field in Python; at 1,000 products that is most of a Quick Refresh
batch's time (issue 11). These helpers send plain values instead:
SQLite gets one ``executemany`` (its fastest path, one statement prepared
once), PostgreSQL one ``UPDATE … FROM`` / ``INSERT … SELECT`` per 5,000 rows
reading them from a single JSON document parameter. Each is one query in
Django's count, so a batch's query count stays flat.

``read`` is ``values_list`` with the conversion from database values done
column by column: Django converts row by row, one generic call per value, and at
1,000 products that was two thirds of reading them.

Values must already be what the fields hold (Decimal, int, str, bool, a
dict for JSON, an aware datetime): they are adapted per column, not
validated — the wire readers and the services did that.
"""

from __future__ import annotations

import datetime
import functools
import json
import threading
from decimal import Decimal

from django.db import connection, models, transaction

CHUNK = 5000
# Fields whose prepared values JSON carries as they are (text, integers, flags, keys).
_JSON_PLAIN = (models.IntegerField, models.CharField, models.TextField, models.BooleanField, models.ForeignKey)
# Fields whose Django adaptation is the identity for values already of the field's type: skipped for speed.
_PLAIN = (*_JSON_PLAIN, models.DecimalField)


def _one_transaction():
    """All rows or none, and one commit: outside a transaction SQLite's executemany commits row by row
    (45 µs a row: most of a Quick Refresh batch's bookkeeping on the books side, measured)."""
    return transaction.atomic(savepoint=False)


def _inline_json(field) -> bool:
    """PostgreSQL documents carry a JSON field's value as JSON, not as a text of JSON inside the JSON:
    one encoding instead of two, no escaping of every quote, one parse on the server (measured: a
    tenth of a 1,000-product Quick Refresh write, whose snapshots are most of its bytes)."""
    return connection.vendor == "postgresql" and isinstance(field, models.JSONField) and field.encoder is None


def _adapt(fields, rows) -> list:
    """The rows' columns, each that needs it adapted (column by column: most need nothing)."""
    columns = list(zip(*rows))
    sqlite = connection.vendor == "sqlite"
    for i, field in enumerate(fields):
        bound = _sqlite_bound(field) if sqlite else None
        if bound:
            kind, make = bound
            columns[i] = [make(value) if type(value) is kind else value for value in columns[i]]
            continue
        if _inline_json(field) or isinstance(field, _PLAIN):
            continue
        if isinstance(field, models.JSONField):  # each row's own JSON: nothing repeats
            text = _json_text if field.encoder is None else functools.partial(json.dumps, cls=field.encoder)
            columns[i] = [None if value is None else text(value) for value in columns[i]]
        else:  # a batch's one "modified" time: prepared once, not per row
            columns[i] = _once_per_value(
                lambda value, field=field: None if value is None else field.get_db_prep_save(value, connection),
                columns[i])
    return columns


# On SQLite, values bound as what sqlite3 would make of them, made here: a Decimal as str (Django's
# adapter), 0.3 µs a value through sqlite3's adapter lookup against 0.06 for str() itself; a bool as
# 1 or 0, which sqlite3 binds only after a failed adapter lookup that raises and formats an
# AttributeError per value. A 1,000-product Quick Refresh binds 4,000 prices and 1,000 flags.
_SQLITE_BOUND = ((models.DecimalField, Decimal, str), (models.BooleanField, bool, int))


def _sqlite_bound(field) -> tuple | None:
    """(the value type, what it is bound as) for a field whose values sqlite3 would adapt slowly."""
    for field_type, kind, make in _SQLITE_BOUND:
        if isinstance(field, field_type):
            return kind, make
    return None


def _make_json_text():
    """``json.dumps`` with its defaults, the encoder built once instead of once per value.

    json.dumps builds CPython's C encoder anew on every call: for 1,000 snapshots that was 40% of
    encoding them (2.9 -> 1.7 ms, measured). The same encoder, made once, with the same settings
    (ASCII, ", " and ": ", NaN allowed); without a circular-reference check, which only trees pass
    through here anyway. Where the C encoder is not there (another Python), json.dumps it is.
    """
    try:
        from json.encoder import c_make_encoder, encode_basestring_ascii

        encode = c_make_encoder(None, json.JSONEncoder().default, encode_basestring_ascii, None,
                                ": ", ", ", False, False, True)
    except (ImportError, TypeError):
        return json.dumps

    return lambda value: "".join(encode(value, 0))


_json_text = _make_json_text()


def _document(fields, columns) -> tuple[str, list]:
    """PostgreSQL: the rows as one JSON document, ``(SELECT (e->>0)::bigint AS _c0, … FROM jsonb_array_elements(%s))``.

    One text parameter for 1,000 products instead of one array per column: Django's
    psycopg cursor binds on the client, and quoting eleven arrays element by element
    (each JSON snapshot escaped again inside its array) cost more than the UPDATE
    itself (57 → 32 ms for a 1,000-product Quick Refresh write, measured in the same
    run; 11,000 VALUES parameters were slower still). Values travel as JSON text and
    are cast back by the column's own type, so a Decimal keeps its digits and a JSON
    field's text is the one its encoder wrote.
    """
    # The bare type ("varchar", not "varchar(20)"): an explicit cast would cut a long text
    # silently, where writing it to the column refuses it.
    select = ", ".join(
        # JSON's null is SQL's NULL, as Django writes None to a JSON field
        f"NULLIF(e->{i}, 'null'::jsonb) AS _c{i}" if _inline_json(f)
        else f"(e->>{i})::{f.db_type(connection).split('(')[0]} AS _c{i}"
        for i, f in enumerate(fields)
    )
    values = list(columns)
    for i, field in enumerate(fields):
        if not _inline_json(field) and not isinstance(field, _JSON_PLAIN):
            values[i] = _once_per_value(_jsonable, values[i])
    return f"(SELECT {select} FROM jsonb_array_elements(%s::jsonb) AS e)", [json.dumps(list(zip(*values)))]


def _chunks(columns):
    """The columns in slices of CHUNK rows (one statement each on PostgreSQL)."""
    for start in range(0, len(columns[0]), CHUNK):
        yield [column[start : start + CHUNK] for column in columns]


_JSON_NATIVE = (str, int, bool, float)


def _once_per_value(function, column) -> list:
    """``function`` over a column, called once per distinct value: a batch's prices, flags and its one
    timestamp repeat. Keyed by type as well, since 1, 1.0 and True are one dict key; equal values of
    one type (Decimal 1.0 and 1.00, one instant in two zones) come out alike in every column kind
    these helpers read or write (numeric columns have a fixed scale)."""
    seen = {}
    out = []
    for value in column:
        key = (value.__class__, value)
        try:
            out.append(seen[key])
        except KeyError:
            seen[key] = result = function(value)
            out.append(result)
        except TypeError:  # an unhashable value (a memoryview): on its own
            out.append(function(value))
    return out


def _jsonable(value):
    """A prepared value as JSON carries it: Decimal and datetime as their exact text."""
    if value is None or type(value) in _JSON_NATIVE:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def update(model, names: list[str], rows: list[tuple]) -> None:
    """Set ``names`` on each row given as ``(pk, value, value, …)``: one statement."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.pk] + [meta.get_field(n) for n in names]
    values = _adapt(fields, rows)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = quote(meta.pk.column)
    columns = [quote(f.column) for f in fields[1:]]
    with _one_transaction(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sets = ", ".join(f"{c} = v._c{i}" for i, c in enumerate(columns, start=1))
            for chunk in _chunks(values):
                source, params = _document(fields, chunk)
                cursor.execute(f"UPDATE {table} SET {sets} FROM {source} AS v WHERE {table}.{pk} = v._c0", params)
        else:
            sets = ", ".join(f"{c} = %s" for c in columns)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", list(zip(*values[1:], values[0])))


def insert(model, names: list[str], rows: list[tuple], *, skip_existing: bool = False) -> None:
    """Insert rows given as tuples in the order of ``names``: one statement (primary keys not read back).

    ``skip_existing``: a row a unique constraint already holds is left as it is (ON CONFLICT DO NOTHING).
    """
    _insert(model, names, rows, " ON CONFLICT DO NOTHING" if skip_existing else "")


def upsert(model, names: list[str], rows: list[tuple], *, unique: list[str]) -> None:
    """Insert rows (tuples in the order of ``names``), or where ``unique`` matches one, set the rest.

    Django's ``bulk_create(update_conflicts=True)`` does the same through model
    instances, prepared field by field: for Quick Refresh's values-last-sent, a
    tenth of the books side's time per batch.
    """
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(n).column) for n in names]
    keys = [quote(model._meta.get_field(n).column) for n in unique]
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    _insert(model, names, rows, f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}")


def _insert(model, names: list[str], rows: list[tuple], conflict: str) -> None:
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(n) for n in names]
    values = _adapt(fields, rows)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = "(" + ",".join(["%s"] * len(fields)) + ")"
    with _one_transaction(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for chunk in _chunks(values):
                source, params = _document(fields, chunk)
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM {source} AS v{conflict}", params)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {marks}{conflict}", list(zip(*values)))


@models.ForeignObject.register_lookup  # foreign keys look up their own lookups, not Field's
@models.Field.register_lookup
class OneOf(models.Lookup):
    """``field__one_of=values``: ``field IN values`` with the whole list bound as one parameter.

    A plain ``__in`` list prepares and binds every value on its own (2 ms per 1,000 in
    Django's lookup code, several lists a batch) and meets SQLite's variable limit.
    PostgreSQL gets ``field = ANY(%s::type[])``: the planner probes the index once per
    value whatever its statistics say, where ``IN (SELECT unnest(…))`` let it scan the
    whole table and hash-join (5.2 vs 0.24 ms for 100 values-last-pushed of 10,000,
    measured with fresh statistics). SQLite reads the list with ``json_each``.
    """

    lookup_name = "one_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [value if isinstance(value, Slot) else _bound(value, connection)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            kind = self.lhs.output_field.db_type(connection).split("(")[0]
            return f"{lhs} = ANY({rhs}::{kind}[])", [*lhs_params, *rhs_params]
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", [*lhs_params, *rhs_params]


def _bound(values, connection) -> list | str:
    """A one_of list as its one parameter: an array on PostgreSQL, a JSON text for json_each on SQLite."""
    values = list(values)
    return values if connection.vendor == "postgresql" else json.dumps(values)


class Slot:
    """Where a one_of lookup's list goes in a query `Compiled` once."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def read(queryset, names: list[str]) -> list[tuple]:
    """``queryset.values_list(*names)``, the same values, converted a column at a time.

    The queryset's own SQL (filters, ordering, ``select_for_update``) is run as it is;
    then each column that needs converting is converted in one pass: a JSON column's
    texts parsed as one document, and any other column's values converted once per
    distinct value (prices and flags repeat; Django's converters are pure functions).
    """
    return _fetch(*_compile(queryset, names))


class Compiled:
    """A `read` whose SQL is built once (per thread): only the lists of its one_of lookups change.

    Django builds and compiles a queryset each time it runs; for a join or two that cost more
    than running it (the held stock of a 100-item Quick Refresh batch: 0.8 of 1.3 ms on
    PostgreSQL, measured). ``build(**slots)`` makes the queryset with a `Slot` where each list
    goes; every other value in it is fixed when it is first compiled, so only constants belong
    there (a store's id does not).
    """

    def __init__(self, build, names: list[str]):
        self._build, self._names = build, list(names)
        # Per thread, as Django's connections are: the converters belong to the connection compiling.
        self._done = threading.local()

    def read(self, **lists) -> list[tuple]:
        done = getattr(self._done, "compiled", None)
        if done is None or done[0] != connection.vendor:
            done = self._done.compiled = (connection.vendor, *_compile(
                self._build(**{name: Slot(name) for name in lists}), self._names))
        _vendor, sql, params, converters = done
        params = [_bound(lists[p.name], connection) if type(p) is Slot else p for p in params]
        return _fetch(sql, params, converters)


def _compile(queryset, names) -> tuple[str, list, dict]:
    compiler = queryset.values_list(*names).query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    return sql, list(params), compiler.get_converters([expression for expression, _sql, _alias in compiler.select])


def _fetch(sql, params, converters) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return []
    columns = list(zip(*fetched))
    for i, (functions, expression) in converters.items():
        columns[i] = _converted(columns[i], functions, expression)
    return list(zip(*columns))


def _converted(column, functions, expression) -> list:
    field = expression.output_field
    if (isinstance(field, models.JSONField) and field.decoder is None
            and all(type(value) is str or value is None for value in column)):
        # One parse of "[t1,t2,…]" instead of a json.loads per row; each row gets its own objects.
        # The column holds valid JSON (SQLite's JSON_VALID check, PostgreSQL's jsonb), so the
        # document has one element per row; anything else is read row by row, as Django does.
        try:
            parsed = json.loads("[" + ",".join("null" if value is None else value for value in column) + "]")
        except ValueError:
            parsed = None
        if parsed is not None and len(parsed) == len(column):
            return parsed
    if isinstance(field, models.JSONField):
        return [_convert(value, functions, expression) for value in column]
    return _once_per_value(lambda value: _convert(value, functions, expression), column)


def _convert(value, functions, expression):
    for function in functions:
        value = function(value, expression, connection)
    return value
