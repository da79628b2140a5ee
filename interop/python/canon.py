"""Paimon SQL types and the canonical row JSON of interop/README.md.

Shared by the pypaimon, Spark and Flink engines: parse_type reads a Paimon
SQL type string into a small tree of Type nodes, table_columns a table's
columns from its schema file; from_json turns a row JSON value
into the Python value an engine writes; canon_value and dumps turn what an
engine reads back into canonical JSON text.
"""

import base64
import datetime
import decimal
import json
import math
import os
import re

import numpy as np

from common import Unsupported


class Type:
    """A Paimon type: kind is the SQL keyword (INT, DECIMAL, TIMESTAMP,
    TIMESTAMP_LTZ, ARRAY, MAP, ROW, …); length/precision/scale when the
    type has them; elem for ARRAY, key/value for MAP, fields (a list of
    (name, Type)) for ROW."""

    def __init__(self, kind, nullable=True, length=None, precision=None, scale=None,
                 elem=None, key=None, value=None, fields=None):
        self.kind = kind
        self.nullable = nullable
        self.length = length
        self.precision = precision
        self.scale = scale
        self.elem = elem
        self.key = key
        self.value = value
        self.fields = fields

    def sql(self):
        """The type as Paimon's Java DataType.asSQLString prints it."""
        k = self.kind
        if k in ("CHAR", "VARCHAR", "BINARY", "VARBINARY"):
            s = "%s(%d)" % (k, self.length)
        elif k == "DECIMAL":
            s = "DECIMAL(%d, %d)" % (self.precision, self.scale)
        elif k in ("TIME", "TIMESTAMP"):
            s = "%s(%d)" % (k, self.precision)
        elif k == "TIMESTAMP_LTZ":
            s = "TIMESTAMP(%d) WITH LOCAL TIME ZONE" % self.precision
        elif k == "ARRAY":
            s = "ARRAY<%s>" % self.elem.sql()
        elif k == "MAP":
            s = "MAP<%s, %s>" % (self.key.sql(), self.value.sql())
        elif k == "ROW":
            s = "ROW<%s>" % ", ".join("`%s` %s" % (n, t.sql()) for n, t in self.fields)
        else:
            s = k
        return s if self.nullable else s + " NOT NULL"

    def __repr__(self):
        return self.sql()


_ALIASES = {"INTEGER": "INT", "NUMERIC": "DECIMAL", "DEC": "DECIMAL"}
_MAX_LEN = 2147483647


class _Parser:
    _tok = re.compile(r"\s*(`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_]*|\d+|[<>(),:])")

    def __init__(self, text):
        self.toks = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = self._tok.match(text, pos)
            if not m:
                raise ValueError("cannot parse type %r at %d" % (text, pos))
            self.toks.append(m.group(1))
            pos = m.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        self.i = 0
        self.text = text

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self):
        t = self.peek()
        if t is None:
            raise ValueError("unexpected end of type %r" % self.text)
        self.i += 1
        return t

    def expect(self, t):
        got = self.next()
        if got.upper() != t:
            raise ValueError("type %r: expected %s, got %s" % (self.text, t, got))

    def word(self, w):
        if self.peek() is not None and self.peek().upper() == w:
            self.i += 1
            return True
        return False

    def args(self):
        out = []
        if self.peek() == "(":
            self.next()
            while True:
                out.append(int(self.next()))
                if self.next() == ")":
                    break
        return out

    def name(self):
        n = self.next()
        if n.startswith("`"):
            return n[1:-1].replace("``", "`")
        return n

    def type(self):
        kw = self.next().upper()
        kw = _ALIASES.get(kw, kw)
        t = None
        if kw == "ARRAY":
            self.expect("<")
            t = Type("ARRAY", elem=self.type())
            self.expect(">")
        elif kw == "MAP":
            self.expect("<")
            k = self.type()
            self.expect(",")
            v = self.type()
            self.expect(">")
            t = Type("MAP", key=k, value=v)
        elif kw == "ROW":
            self.expect("<")
            fields = []
            while True:
                n = self.name()
                if self.peek() == ":":
                    self.next()
                fields.append((n, self.type()))
                if self.peek() is not None and self.peek().startswith("'"):
                    self.next()
                sep = self.next()
                if sep == ">":
                    break
                if sep != ",":
                    raise ValueError("type %r: bad ROW separator %s" % (self.text, sep))
            t = Type("ROW", fields=fields)
        elif kw in ("CHAR", "VARCHAR", "BINARY", "VARBINARY"):
            a = self.args()
            n = a[0] if a else 1
            if kw == "VARCHAR" and n == _MAX_LEN:
                t = Type("STRING")
            elif kw == "VARBINARY" and n == _MAX_LEN:
                t = Type("BYTES")
            else:
                t = Type(kw, length=n)
        elif kw == "STRING":
            t = Type("STRING")
        elif kw == "BYTES":
            t = Type("BYTES")
        elif kw == "DECIMAL":
            a = self.args()
            t = Type("DECIMAL", precision=a[0] if a else 10, scale=a[1] if len(a) > 1 else 0)
        elif kw == "TIME":
            a = self.args()
            t = Type("TIME", precision=a[0] if a else 0)
            if self.word("WITHOUT"):
                self.expect("TIME")
                self.expect("ZONE")
        elif kw in ("TIMESTAMP", "TIMESTAMP_LTZ"):
            a = self.args()
            p = a[0] if a else 6
            if kw == "TIMESTAMP" and self.word("WITH"):
                self.word("LOCAL")
                self.expect("TIME")
                self.expect("ZONE")
                kw = "TIMESTAMP_LTZ"
            elif self.word("WITHOUT"):
                self.expect("TIME")
                self.expect("ZONE")
            t = Type(kw, precision=p)
        elif kw in ("BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE", "DATE"):
            t = Type(kw)
        else:
            raise ValueError("unsupported type %s in %r" % (kw, self.text))
        if self.word("NOT"):
            self.expect("NULL")
            t.nullable = False
        elif self.word("NULL"):
            pass
        return t


def parse_type(text):
    p = _Parser(text)
    t = p.type()
    if p.peek() is not None:
        raise ValueError("trailing text in type %r" % text)
    return t


# ---------------------------------------------------------------- schema files

def table_columns(warehouse, table, snapshot=None, tag=None):
    """(columns, schema) of the table db.t in the local warehouse, from
    Paimon's own schema file (engines' SQL schemas lose precisions and
    CHAR/VARCHAR lengths): columns is a list of (name, Type) and schema the
    parsed schema file. The latest schema, or the one a snapshot or tag was
    written with (time travel reads with that schema)."""
    db, t = table.split(".", 1)
    tdir = os.path.join(warehouse, db + ".db", t)
    sdir = os.path.join(tdir, "schema")
    if snapshot is not None or tag is not None:
        f = os.path.join(tdir, "snapshot", "snapshot-%d" % snapshot) if snapshot is not None \
            else os.path.join(tdir, "tag", "tag-" + tag)
        name = "schema-%d" % json.load(open(f, encoding="utf-8"))["schemaId"]
    else:
        name = max((f for f in os.listdir(sdir) if f.startswith("schema-")),
                   key=lambda f: int(f[len("schema-"):]))
    schema = json.load(open(os.path.join(sdir, name), encoding="utf-8"))
    return [(f["name"], _from_schema_json(f["type"])) for f in schema["fields"]], schema


def _from_schema_json(j):
    if isinstance(j, str):
        return parse_type(j)
    ts = j["type"]
    nullable = not ts.rstrip().endswith("NOT NULL")
    if ts.startswith("ARRAY"):
        t = Type("ARRAY", elem=_from_schema_json(j["element"]))
    elif ts.startswith("MAP"):
        t = Type("MAP", key=_from_schema_json(j["key"]), value=_from_schema_json(j["value"]))
    elif ts.startswith("ROW"):
        t = Type("ROW", fields=[(f["name"], _from_schema_json(f["type"])) for f in j["fields"]])
    else:
        raise Unsupported("Paimon type %s" % ts)
    t.nullable = nullable
    return t


# ---------------------------------------------------------------- input

def _float_in(v):
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
    return float(v)


_TS = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$")
_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$")


def parse_timestamp(text):
    """(datetime with microseconds, nanoseconds within the second)."""
    m = _TS.match(text)
    if not m:
        raise ValueError("bad timestamp %r" % text)
    frac = (m.group(7) or "").ljust(9, "0")
    ns = int(frac)
    dt = datetime.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)),
                           int(m.group(4)), int(m.group(5)), int(m.group(6)), ns // 1000)
    return dt, ns


_EPOCH = datetime.datetime(1970, 1, 1)


def timestamp_to_epoch(text, unit):
    """The timestamp text as an integer count of unit ('s', 'ms', 'us',
    'ns') since the epoch, truncating finer digits."""
    dt, ns = parse_timestamp(text)
    secs = (dt.replace(microsecond=0) - _EPOCH) // datetime.timedelta(seconds=1)
    per = {"s": 1, "ms": 1000, "us": 1000000, "ns": 1000000000}[unit]
    return secs * per + ns * per // 1000000000


def parse_time_ms(text):
    m = _TIME.match(text)
    if not m:
        raise ValueError("bad time %r" % text)
    frac = (m.group(4) or "").ljust(9, "0")
    return ((int(m.group(1)) * 60 + int(m.group(2))) * 60 + int(m.group(3))) * 1000 + int(frac) // 1000000


def from_json(t, v, ts_mode="datetime", ts_unit="us"):
    """The Python value to hand an engine for the row JSON value v of type t.

    ts_mode 'epoch' gives timestamps as integers in ts_unit (pyarrow),
    'datetime' as naive datetimes (UTC for TIMESTAMP_LTZ, aware)."""
    if v is None:
        return None
    k = t.kind
    if k in ("TINYINT", "SMALLINT", "INT", "BIGINT"):
        return int(v)
    if k in ("FLOAT", "DOUBLE"):
        return _float_in(v)
    if k == "BOOLEAN":
        return bool(v)
    if k == "DECIMAL":
        return decimal.Decimal(v)
    if k in ("CHAR", "VARCHAR", "STRING"):
        return v
    if k in ("BINARY", "VARBINARY", "BYTES"):
        return base64.b64decode(v)
    if k == "DATE":
        return datetime.date.fromisoformat(v)
    if k == "TIME":
        if ts_mode == "epoch":
            return parse_time_ms(v)
        ms = parse_time_ms(v)
        return datetime.time(ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000 * 1000)
    if k in ("TIMESTAMP", "TIMESTAMP_LTZ"):
        if ts_mode == "epoch":
            return timestamp_to_epoch(v, ts_unit(t) if callable(ts_unit) else ts_unit)
        dt, _ = parse_timestamp(v)
        if k == "TIMESTAMP_LTZ":
            dt = dt.replace(tzinfo=datetime.timezone.utc)
        return dt
    if k == "ARRAY":
        return [from_json(t.elem, x, ts_mode, ts_unit) for x in v]
    if k == "MAP":
        return [(from_json(t.key, p[0], ts_mode, ts_unit), from_json(t.value, p[1], ts_mode, ts_unit))
                for p in v]
    if k == "ROW":
        return {n: from_json(ft, v.get(n), ts_mode, ts_unit) for n, ft in t.fields}
    raise ValueError("unsupported type %s" % k)


# ---------------------------------------------------------------- output

def format_float(x, bits):
    """x as Go's strconv.FormatFloat(x, 'g', -1, bits): the shortest digits
    that round-trip at that width (float32 for bits 32), in %e form when the
    decimal exponent is < -4 or >= 6, else %f form; NaN and the infinities
    as the JSON strings "NaN", "Infinity", "-Infinity"."""
    if math.isnan(x):
        return '"NaN"'
    if math.isinf(x):
        return '"Infinity"' if x > 0 else '"-Infinity"'
    neg = math.copysign(1.0, x) < 0
    if x == 0:
        return "-0" if neg else "0"
    v = np.float32(x) if bits == 32 else np.float64(x)
    s = np.format_float_scientific(abs(v), unique=True, trim="-", exp_digits=1)
    mant, exp = s.split("e")
    digits = mant.replace(".", "").rstrip("0") or "0"
    exp = int(exp)
    nd = len(digits)
    dp = exp + 1  # decimal point position relative to digits
    out = "-" if neg else ""
    if exp < -4 or exp >= 6:
        out += digits[0]
        if nd > 1:
            out += "." + digits[1:]
        out += "e" + ("-" if exp < 0 else "+") + ("%02d" % abs(exp))
        return out
    if dp <= 0:
        return out + "0." + "0" * (-dp) + digits
    if dp >= nd:
        return out + digits + "0" * (dp - nd)
    return out + digits[:dp] + "." + digits[dp:]


def json_string(s):
    return json.dumps(s, ensure_ascii=False)


def format_decimal(d, scale):
    d = decimal.Decimal(d)
    q = d.quantize(decimal.Decimal(1).scaleb(-scale), context=decimal.Context(prec=100))
    if q == 0:
        q = abs(q)
    return format(q, "f")


def _fraction(ns):
    if ns == 0:
        return ""
    return "." + ("%09d" % ns).rstrip("0")


def format_timestamp(v):
    """v: datetime (aware ones converted to UTC), pandas Timestamp, or
    (datetime, nanos-within-second)."""
    if isinstance(v, tuple):
        dt, ns = v
    else:
        dt = v
        ns = dt.microsecond * 1000 + getattr(dt, "nanosecond", 0)
    if dt.tzinfo is not None:
        dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return "%04d-%02d-%02d %02d:%02d:%02d%s" % (dt.year, dt.month, dt.day, dt.hour, dt.minute,
                                               dt.second, _fraction(ns))


def format_time(v):
    if isinstance(v, int):
        ms = v
    else:
        ms = ((v.hour * 60 + v.minute) * 60 + v.second) * 1000 + v.microsecond // 1000
    return "%02d:%02d:%02d%s" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60,
                                 _fraction(ms % 1000 * 1000000))


def canon(t, v):
    """The canonical JSON text of the Python value v of type t, as an
    engine's reader returns it (pyarrow's as_py, or pyspark's collect)."""
    if v is None:
        return "null"
    k = t.kind
    if k == "BOOLEAN":
        return "true" if v else "false"
    if k in ("TINYINT", "SMALLINT", "INT", "BIGINT"):
        return str(int(v))
    if k == "FLOAT":
        return format_float(float(v), 32)
    if k == "DOUBLE":
        return format_float(float(v), 64)
    if k == "DECIMAL":
        return json_string(format_decimal(v, t.scale))
    if k in ("CHAR", "VARCHAR", "STRING"):
        return json_string(v)
    if k in ("BINARY", "VARBINARY", "BYTES"):
        return json_string(base64.b64encode(bytes(v)).decode("ascii"))
    if k == "DATE":
        if isinstance(v, str):
            return json_string(v)
        return json_string("%04d-%02d-%02d" % (v.year, v.month, v.day))
    if k == "TIME":
        return json_string(format_time(v))
    if k in ("TIMESTAMP", "TIMESTAMP_LTZ"):
        return json_string(format_timestamp(v))
    if k == "ARRAY":
        return "[" + ",".join(canon(t.elem, x) for x in v) + "]"
    if k == "MAP":
        items = v.items() if isinstance(v, dict) else v
        pairs = sorted(((canon(t.key, a), canon(t.value, b)) for a, b in items),
                       key=lambda p: p[0].encode("utf-8"))
        return "[" + ",".join("[%s,%s]" % p for p in pairs) + "]"
    if k == "ROW":
        if not isinstance(v, dict):
            v = v.asDict(recursive=False) if hasattr(v, "asDict") else dict(zip([n for n, _ in t.fields], v))
        return "{" + ",".join("%s:%s" % (json_string(n), canon(ft, v.get(n))) for n, ft in t.fields) + "}"
    raise ValueError("unsupported type %s" % k)


def canon_row(columns, values):
    """columns: list of (name, Type); values: the row's values in order."""
    return "{" + ",".join("%s:%s" % (json_string(n), canon(t, v))
                          for (n, t), v in zip(columns, values)) + "}"


def print_sorted(lines, out):
    for line in sorted(lines, key=lambda s: s.encode("utf-8")):
        out.write(line)
        out.write("\n")


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows
