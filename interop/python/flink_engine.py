"""The Flink SQL engine of the interop tool contract: PyFlink (which bundles
Flink and runs it as a local mini-cluster in its gateway JVM) with Paimon's
paimon-flink connector jar, which tool.sh puts in FLOE_PAIMON_FLINK_JAR
(and the Hadoop client jars on HADOOP_CLASSPATH).

Every command is Flink SQL on a Paimon catalog per warehouse: batch mode for
create, write, dump and the procedures, streaming mode for stream. One
gateway JVM and two TableEnvironments (batch, streaming) per process: per
command, or per `tool.py serve`.
"""

import base64
import datetime
import hashlib
import json
import os
import queue
import sys
import threading

import canon
from common import Unsupported

_envs = {}  # "batch" | "streaming" → TableEnvironment
_catalogs = {}  # mode → names of the catalogs registered in that environment
_warehouse = None  # absolute path of the current command's warehouse

# How long a streaming read may take to deliver its changes.
STREAM_TIMEOUT = float(os.environ.get("FLOE_FLINK_STREAM_TIMEOUT", "120"))
# How long a streaming read waits, after the changes it expects, for one
# more (which would be a difference to report).
STREAM_GRACE = float(os.environ.get("FLOE_FLINK_STREAM_GRACE", "1"))


def _drain_gateway_stderr():
    """PyFlink starts its gateway JVM with stderr on a pipe it never reads,
    so the JVM blocks once its warnings fill the pipe: copy them to our
    stderr instead (PyFlink 2.0.2's launch_gateway_server_process)."""
    import pyflink.java_gateway as gw
    launch = gw.launch_gateway_server_process
    if getattr(launch, "floe_drained", False):
        return

    def launch_drained(env, args):
        p = launch(env, args)

        def copy():
            fd = p.stderr.fileno()
            while True:
                b = os.read(fd, 1 << 16)
                if not b:
                    return
                os.write(2, b)

        threading.Thread(target=copy, daemon=True).start()
        return p

    launch_drained.floe_drained = True
    gw.launch_gateway_server_process = launch_drained


def _env(mode, warehouse):
    """The TableEnvironment of mode, with a Paimon catalog for the
    warehouse (named after a hash of its path, caching off so that commits
    by other engines between commands are seen)."""
    global _warehouse
    from pyflink.table import EnvironmentSettings, TableEnvironment
    path = os.path.abspath(warehouse)
    te = _envs.get(mode)
    if te is None:
        _drain_gateway_stderr()
        s = EnvironmentSettings.in_batch_mode() if mode == "batch" else EnvironmentSettings.in_streaming_mode()
        te = TableEnvironment.create(s)
        c = te.get_config()
        c.set("pipeline.jars", "file://" + os.path.abspath(os.environ["FLOE_PAIMON_FLINK_JAR"]))
        c.set("parallelism.default", "1")
        c.set("table.local-time-zone", "UTC")
        c.set("table.exec.resource.default-parallelism", "1")
        _envs[mode] = te
        _catalogs[mode] = set()
    name = _catalog_name(path)
    if name not in _catalogs[mode]:
        te.execute_sql("CREATE CATALOG %s WITH ('type' = 'paimon', 'warehouse' = %s, 'cache-enabled' = 'false')"
                       % (_q(name), _sql_string("file://" + path)))
        _catalogs[mode].add(name)
    # The current catalog: FOR SYSTEM_TIME AS OF asks it (not the one the
    # table's name gives), and CALL runs its procedures.
    te.use_catalog(name)
    _warehouse = path
    return te


def _catalog_name(path):
    return "wh_" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]


def _q(name):
    return "`" + name.replace("`", "``") + "`"


def _ident(table):
    db, t = table.split(".", 1)
    return "%s.%s.%s" % (_q(_catalog_name(_warehouse)), _q(db), _q(t))


def _sql_string(s):
    return "'" + s.replace("'", "''") + "'"


def _hints(opts):
    if not opts:
        return ""
    return " /*+ OPTIONS(%s) */" % ", ".join("%s = %s" % (_sql_string(k), _sql_string(v)) for k, v in opts)


def _run(te, sql):
    """Runs a statement to its end (INSERT, DELETE, CALL are jobs)."""
    r = te.execute_sql(sql)
    if r.get_job_client() is not None:
        r.wait()
    return r


# ---------------------------------------------------------------- DDL, DML

def create(args):
    spec = json.load(open(args.spec, encoding="utf-8"))
    te = _env("batch", args.warehouse)
    db, _ = spec["table"].split(".", 1)
    te.execute_sql("CREATE DATABASE IF NOT EXISTS %s.%s" % (_q(_catalog_name(_warehouse)), _q(db)))
    # Paimon's SQL type names are Flink's.
    cols = ["%s %s" % (_q(c["name"]), canon.parse_type(c["type"]).sql()) for c in spec["columns"]]
    if spec.get("primaryKeys"):
        cols.append("PRIMARY KEY (%s) NOT ENFORCED" % ", ".join(_q(k) for k in spec["primaryKeys"]))
    sql = "CREATE TABLE %s (%s)" % (_ident(spec["table"]), ", ".join(cols))
    if spec.get("partitionKeys"):
        sql += " PARTITIONED BY (%s)" % ", ".join(_q(p) for p in spec["partitionKeys"])
    opts = sorted((k, str(v)) for k, v in (spec.get("options") or {}).items())
    if opts:
        sql += " WITH (%s)" % ", ".join("%s = %s" % (_sql_string(k), _sql_string(v)) for k, v in opts)
    te.execute_sql(sql)


def _literal(t, v):
    """The Flink SQL expression of the row JSON value v of type t."""
    ty = t.sql()
    if ty.endswith(" NOT NULL"):  # CAST takes no nullability
        ty = ty[:-len(" NOT NULL")]
    if v is None:
        return "CAST(NULL AS %s)" % ty
    k = t.kind
    if k == "ARRAY":
        if not v:
            return _empty(t)
        return "CAST(ARRAY[%s] AS %s)" % (", ".join(_literal(t.elem, x) for x in v), ty)
    if k == "MAP":
        if not v:
            return _empty(t)
        return "CAST(MAP[%s] AS %s)" % (", ".join("%s, %s" % (_literal(t.key, p[0]), _literal(t.value, p[1]))
                                                  for p in v), ty)
    if k == "ROW":
        return "CAST(ROW(%s) AS %s)" % (", ".join(_literal(ft, v.get(n)) for n, ft in t.fields), ty)
    if k == "BOOLEAN":
        return "TRUE" if v else "FALSE"
    if k in ("BINARY", "VARBINARY", "BYTES"):
        return "CAST(X'%s' AS %s)" % (base64.b64decode(v).hex(), ty)
    if k in ("TINYINT", "SMALLINT", "INT", "BIGINT"):
        return "CAST(%d AS %s)" % (int(v), ty)
    return "CAST(%s AS %s)" % (_sql_string(str(v)), ty)


def _empty(t):
    raise Unsupported("Flink SQL has no literal for an empty %s" % t.kind)


def write(args):
    rows = canon.read_rows(args.data)
    te = _env("batch", args.warehouse)
    cols, schema = canon.table_columns(_warehouse, args.table)
    if args.commit_user or args.identifier is not None:
        print("flink: --commit-user/--identifier ignored (Flink SQL picks its own)", file=sys.stderr)
    pks = schema.get("primaryKeys") or []
    types = dict(cols)
    # Runs of +I/+U rows become one INSERT; -U/-D rows of a primary-key table
    # become DELETE FROM … WHERE <key> (each statement its own snapshot).
    batch = []
    for r in rows + [None]:
        kind = "+I" if r is None else r.pop("_ROW_KIND", "+I")
        if r is not None and kind in ("+I", "+U"):
            batch.append(r)
            continue
        if batch:
            values = ", ".join("(%s)" % ", ".join(_literal(t, b.get(n)) for n, t in cols) for b in batch)
            _run(te, "INSERT %s %s VALUES %s" % ("OVERWRITE" if args.overwrite else "INTO", _ident(args.table), values))
            batch = []
        elif r is None and args.overwrite and not rows:
            raise Unsupported("Flink SQL cannot overwrite with no rows")
        if r is None:
            break
        if kind not in ("-U", "-D"):
            raise ValueError("bad _ROW_KIND %r" % kind)
        if not pks:
            raise Unsupported("Flink cannot write %s rows to an append table" % kind)
        if args.overwrite:
            raise Unsupported("Flink cannot overwrite with %s rows" % kind)
        conds = " AND ".join("%s = %s" % (_q(k), _literal(types[k], r.get(k))) for k in pks)
        _run(te, "DELETE FROM %s WHERE %s" % (_ident(args.table), conds))


def _call(te, proc, named):
    """CALL sys.proc(name => value, …) on the current warehouse's catalog."""
    args = ", ".join("%s => %s" % (_q(k), v) for k, v in named)
    _run(te, "CALL sys.%s(%s)" % (proc, args))


def compact(args):
    te = _env("batch", args.warehouse)
    named = [("table", _sql_string(args.table))]
    if args.full:
        named.append(("compact_strategy", "'full'"))
    _call(te, "compact", named)


def tag(args):
    te = _env("batch", args.warehouse)
    named = [("table", _sql_string(args.table)), ("tag", _sql_string(args.name))]
    if args.snapshot is not None:
        named.append(("snapshot_id", "CAST(%d AS BIGINT)" % args.snapshot))
    _call(te, "create_tag", named)


def tag_delete(args):
    te = _env("batch", args.warehouse)
    _call(te, "delete_tag", [("table", _sql_string(args.table)), ("tag", _sql_string(args.name))])


def rollback(args):
    te = _env("batch", args.warehouse)
    named = [("table", _sql_string(args.table))]
    if args.snapshot is not None:
        named.append(("snapshot_id", "CAST(%d AS BIGINT)" % args.snapshot))
    else:
        named.append(("tag", _sql_string(args.tag)))
    _call(te, "rollback_to", named)


def expire(args):
    if args.older_than is not None:
        raise Unsupported("expire --older-than (sys.expire_snapshots takes a local timestamp text)")
    te = _env("batch", args.warehouse)
    named = [("table", _sql_string(args.table)), ("retain_max", str(args.retain_max))]
    if args.retain_min is not None:
        named.append(("retain_min", str(args.retain_min)))
    _call(te, "expire_snapshots", named)


def alter(args):
    """Each change is one ALTER TABLE statement (one schema version each)."""
    te = _env("batch", args.warehouse)
    t = _ident(args.table)
    for c in json.load(open(args.changes, encoding="utf-8")):
        op = c["op"]
        if op == "addColumn":
            sql = "ALTER TABLE %s ADD %s %s" % (t, _q(c["name"]), canon.parse_type(c["type"]).sql())
            if c.get("first"):
                sql += " FIRST"
            elif c.get("after"):
                sql += " AFTER %s" % _q(c["after"])
        elif op == "dropColumn":
            sql = "ALTER TABLE %s DROP %s" % (t, _q(c["name"]))
        elif op == "renameColumn":
            sql = "ALTER TABLE %s RENAME %s TO %s" % (t, _q(c["name"]), _q(c["newName"]))
        elif op == "updateColumnType":
            sql = "ALTER TABLE %s MODIFY %s %s" % (t, _q(c["name"]), canon.parse_type(c["type"]).sql())
        elif op == "setOption":
            sql = "ALTER TABLE %s SET (%s = %s)" % (t, _sql_string(c["key"]), _sql_string(str(c["value"])))
        elif op == "removeOption":
            sql = "ALTER TABLE %s RESET (%s)" % (t, _sql_string(c["key"]))
        else:
            raise Unsupported("schema change %r" % op)
        te.execute_sql(sql)


def check(args):
    raise Unsupported("Flink has no consistency check")


# ---------------------------------------------------------------- reads

# Columns read as text: PyFlink turns timestamps into datetimes
# (microseconds, so TIMESTAMP(9) would lose digits), fails on dates outside
# 0001–9999, and its result conversion fails on NaN and the infinities
# (FLOAT is widened to DOUBLE first, exactly, so that the text round-trips).
# Flink's CAST of TIME to STRING drops the fraction, so TIME stays a
# datetime.time.
_AS_TEXT = ("DATE", "TIMESTAMP", "TIMESTAMP_LTZ", "DOUBLE")


def _select(cols):
    out = []
    for n, t in cols:
        if t.kind in ("ARRAY", "MAP", "ROW"):
            # PyFlink 2.0.2 cannot collect them: its conversion of ARRAY,
            # MAP and ROW results fails (EOFError: Ran out of input).
            raise Unsupported("PyFlink cannot collect %s values (column %s)" % (t.kind, n))
        if t.kind == "FLOAT":
            out.append("CAST(CAST(%s AS DOUBLE) AS STRING)" % _q(n))
        elif t.kind in _AS_TEXT:
            out.append("CAST(%s AS STRING)" % _q(n))
        else:
            out.append(_q(n))
    return ", ".join(out)


def _value(t, v):
    """PyFlink's Python value (or the text _select asked for) as canon.canon
    expects it."""
    if v is None:
        return None
    k = t.kind
    if k in ("TIMESTAMP", "TIMESTAMP_LTZ"):
        return canon.parse_timestamp(v)
    if k in ("FLOAT", "DOUBLE"):
        return float(v)
    return v


def dump(args, out):
    te = _env("batch", args.warehouse)
    cols, schema = canon.table_columns(_warehouse, args.table, args.snapshot, args.tag)
    opts, asof = [], ""
    if args.snapshot is not None:
        opts.append(("scan.snapshot-id", str(args.snapshot)))
    elif args.tag is not None:
        opts.append(("scan.tag-name", args.tag))
    if opts and schema["id"] != canon.table_columns(_warehouse, args.table)[1]["id"]:
        # The planner takes the columns from the catalog's table, the latest
        # schema, whatever the hints: only FOR SYSTEM_TIME AS OF asks the
        # catalog for the table as of a time (the snapshot's, in UTC), with
        # the schema of the snapshot it travels to.
        asof = " FOR SYSTEM_TIME AS OF TIMESTAMP %s" % _sql_string(_snapshot_time(args.table, args.snapshot, args.tag))
        opts = []
    sql = "SELECT %s FROM %s%s%s" % (_select(cols), _ident(args.table), _hints(opts), asof)
    with te.execute_sql(sql).collect() as it:
        lines = [canon.canon_row(cols, [_value(t, v) for (_, t), v in zip(cols, list(r))]) for r in it]
    canon.print_sorted(lines, out)


def _snapshot_time(table, snapshot, tag):
    """The commit time of a snapshot or tag as TIMESTAMP(3) text in UTC."""
    db, t = table.split(".", 1)
    tdir = os.path.join(_warehouse, db + ".db", t)
    f = os.path.join(tdir, "snapshot", "snapshot-%d" % snapshot) if snapshot is not None \
        else os.path.join(tdir, "tag", "tag-" + tag)
    snap = json.load(open(f, encoding="utf-8"))
    ms = snap["timeMillis"]
    # Travelling by time finds this snapshot only if it is still there and
    # the next one is later.
    sdir = os.path.join(tdir, "snapshot")
    if not os.path.exists(os.path.join(sdir, "snapshot-%d" % snap["id"])):
        raise Unsupported("Flink reads an older schema only by time travel, and snapshot %d is gone" % snap["id"])
    nxt = os.path.join(sdir, "snapshot-%d" % (snap["id"] + 1))
    if os.path.exists(nxt) and json.load(open(nxt, encoding="utf-8"))["timeMillis"] <= ms:
        raise Unsupported("Flink reads an older schema only by time travel, and snapshots %d and %d have the same time"
                          % (snap["id"], snap["id"] + 1))
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms)
    return dt.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (ms % 1000)


def _snapshots(table):
    """The table's snapshot directory and its latest snapshot id (None when
    it has none)."""
    db, t = table.split(".", 1)
    sdir = os.path.join(_warehouse, db + ".db", t, "snapshot")
    ids = [int(f[len("snapshot-"):]) for f in os.listdir(sdir) if f.startswith("snapshot-")] \
        if os.path.isdir(sdir) else []
    return sdir, (max(ids) if ids else None)


def _expected_changes(sdir, first, last, producer):
    """How many changes a streaming read of snapshots first..last delivers:
    without a changelog producer the records the APPEND snapshots added
    (deltaRecordCount; COMPACT and OVERWRITE snapshots are skipped), with
    one the records of their changelog files (changelogRecordCount)."""
    n = 0
    for sid in range(first, last + 1):
        s = json.load(open(os.path.join(sdir, "snapshot-%d" % sid), encoding="utf-8"))
        if producer == "none":
            if s.get("commitKind") == "APPEND":
                if s.get("deltaRecordCount") is None:
                    raise Unsupported("snapshot %d has no deltaRecordCount to bound the stream by" % sid)
                n += s["deltaRecordCount"]
        elif s.get("changelogManifestList"):
            if s.get("changelogRecordCount") is None:
                raise Unsupported("snapshot %d has no changelogRecordCount to bound the stream by" % sid)
            n += s["changelogRecordCount"]
    return n


_KINDS = {"INSERT": "+I", "UPDATE_BEFORE": "-U", "UPDATE_AFTER": "+U", "DELETE": "-D"}


def stream(args, out):
    """Flink SQL's streaming read from --from-snapshot (scan.mode
    from-snapshot), up to the latest snapshot at start. Paimon's Flink
    source only stops by itself at a watermark, and Flink SQL does not say
    which snapshot a change came from, so the read takes as many changes as
    the snapshots up to the latest hold (_expected_changes), waits
    STREAM_GRACE seconds for one more, and cancels the job. The lines carry
    the row kind but no _SNAPSHOT (interop/README.md)."""
    te = _env("streaming", args.warehouse)
    cols, schema = canon.table_columns(_warehouse, args.table)
    sdir, latest = _snapshots(args.table)
    first = args.from_snapshot or 1
    if latest is None or latest < first:
        return
    opts = schema.get("options") or {}
    producer = opts.get("changelog-producer", "none").lower() if schema.get("primaryKeys") else "none"
    want = _expected_changes(sdir, first, latest, producer)
    if want == 0:
        return
    hints = [("scan.mode", "from-snapshot"), ("scan.snapshot-id", str(first)),
             # Row kinds as Paimon stores them: no ChangelogNormalize.
             ("scan.remove-normalize", "true"),
             ("continuous.discovery-interval", "100ms")]
    sql = "SELECT %s FROM %s%s" % (_select(cols), _ident(args.table), _hints(hints))
    it = te.execute_sql(sql).collect()
    q = queue.Queue()

    def pump():
        try:
            for r in it:
                q.put(r)
        except Exception as e:  # noqa: BLE001 (also the cancellation)
            q.put(e)
        q.put(None)

    th = threading.Thread(target=pump, daemon=True)
    th.start()
    rows = []
    try:
        while True:
            try:
                r = q.get(timeout=STREAM_TIMEOUT if len(rows) < want else STREAM_GRACE)
            except queue.Empty:
                if len(rows) < want:
                    raise RuntimeError("stream: %d of %d changes after %gs" % (len(rows), want, STREAM_TIMEOUT))
                break
            if r is None:
                break
            if isinstance(r, Exception):
                raise r
            rows.append(r)
            if len(rows) > want:
                break
    finally:
        it.close()
        th.join(30)
    for r in rows:
        line = canon.canon_row(cols, [_value(t, v) for (_, t), v in zip(cols, list(r))])
        out.write('{"_ROW_KIND":"%s",%s\n' % (_KINDS[r.get_row_kind().name], line[1:]))
