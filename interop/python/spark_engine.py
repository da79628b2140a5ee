"""The Spark SQL engine of the interop tool contract: pyspark in local mode
with the paimon-spark connector jar (tool.sh puts its path in
FLOE_PAIMON_SPARK_JAR). One Spark session per process: per command, or per
`tool.py serve`."""

import datetime
import hashlib
import json
import os
import sys

import canon
from common import Unsupported

_spark = None
_warehouse = None  # absolute path of the current command's warehouse
_catalogs = set()


def _session(warehouse):
    """The Spark session, with the current catalog set to one for this
    warehouse. The session is made once per process (tool.py serve runs many
    commands in one), each warehouse gets its own Paimon catalog, named after
    a hash of its path, registered at run time."""
    global _spark, _warehouse
    path = os.path.abspath(warehouse)
    if _spark is None:
        from pyspark.sql import SparkSession
        b = (SparkSession.builder.master("local[1]").appName("floe-interop")
             .config("spark.jars", os.environ["FLOE_PAIMON_SPARK_JAR"])
             .config("spark.sql.extensions",
                     "org.apache.paimon.spark.extensions.PaimonSparkSessionExtensions")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
             .config("spark.sql.shuffle.partitions", "1")
             .config("spark.default.parallelism", "1")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
             .config("spark.driver.memory", "1g")
             .config("spark.sql.warehouse.dir", os.path.join(path, ".spark-warehouse")))
        _spark = b.getOrCreate()
        _spark.sparkContext.setLogLevel("ERROR")
    name = _catalog_name(path)
    if name not in _catalogs:
        _spark.conf.set("spark.sql.catalog." + name, "org.apache.paimon.spark.SparkCatalog")
        _spark.conf.set("spark.sql.catalog.%s.warehouse" % name, "file:" + path)
        # Other engines commit between this process's commands.
        _spark.conf.set("spark.sql.catalog.%s.cache-enabled" % name, "false")
        _catalogs.add(name)
    _spark.catalog.setCurrentCatalog(name)
    _warehouse = path
    return _spark


def _catalog_name(path):
    return "wh_" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]


def _q(name):
    return "`" + name.replace("`", "``") + "`"


def _ident(table):
    db, t = table.split(".", 1)
    return "%s.%s.%s" % (_catalog_name(_warehouse), _q(db), _q(t))


def _spark_type(t):
    k = t.kind
    if k in ("BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE", "DATE", "STRING"):
        s = k
    elif k == "DECIMAL":
        s = "DECIMAL(%d, %d)" % (t.precision, t.scale)
    elif k in ("CHAR", "VARCHAR"):
        s = "%s(%d)" % (k, t.length)
    elif k in ("BINARY", "VARBINARY", "BYTES"):
        s = "BINARY"
    elif k == "TIMESTAMP":
        s = "TIMESTAMP_NTZ"
    elif k == "TIMESTAMP_LTZ":
        s = "TIMESTAMP"
    elif k == "ARRAY":
        s = "ARRAY<%s>" % _spark_type(t.elem)
    elif k == "MAP":
        s = "MAP<%s, %s>" % (_spark_type(t.key), _spark_type(t.value))
    elif k == "ROW":
        s = "STRUCT<%s>" % ", ".join("%s: %s" % (_q(n), _spark_type(ft)) for n, ft in t.fields)
    else:
        raise Unsupported("Spark SQL has no type for Paimon %s" % t.sql())
    if not t.nullable and k not in ("ARRAY", "MAP", "ROW"):
        pass
    return s


def _sql_string(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def create(args):
    spec = json.load(open(args.spec, encoding="utf-8"))
    spark = _session(args.warehouse)
    db, _ = spec["table"].split(".", 1)
    spark.sql("CREATE DATABASE IF NOT EXISTS %s.%s" % (_catalog_name(_warehouse), _q(db)))
    cols = []
    for c in spec["columns"]:
        t = canon.parse_type(c["type"])
        cols.append("%s %s%s" % (_q(c["name"]), _spark_type(t), "" if t.nullable else " NOT NULL"))
    props = dict((k, str(v)) for k, v in (spec.get("options") or {}).items())
    if spec.get("primaryKeys"):
        props["primary-key"] = ",".join(spec["primaryKeys"])
    sql = "CREATE TABLE %s (%s)" % (_ident(spec["table"]), ", ".join(cols))
    if spec.get("partitionKeys"):
        sql += " PARTITIONED BY (%s)" % ", ".join(_q(p) for p in spec["partitionKeys"])
    if props:
        sql += " TBLPROPERTIES (%s)" % ", ".join(
            "%s = %s" % (_sql_string(k), _sql_string(v)) for k, v in sorted(props.items()))
    spark.sql(sql)


def _spark_value(t, v):
    """The Python value pyspark takes for the row JSON value v of type t."""
    if v is None:
        return None
    k = t.kind
    if k == "ARRAY":
        return [_spark_value(t.elem, x) for x in v]
    if k == "MAP":
        return {_spark_value(t.key, p[0]): _spark_value(t.value, p[1]) for p in v}
    if k == "ROW":
        from pyspark.sql import Row
        return tuple(_spark_value(ft, v.get(n)) for n, ft in t.fields)
    if k in ("BINARY", "VARBINARY", "BYTES"):
        return bytearray(canon.from_json(t, v))
    if k == "TIME":
        raise Unsupported("Spark SQL 3.5 has no TIME type")
    return canon.from_json(t, v)


def _insert(spark, table, cols, rows, overwrite):
    schema = spark.table(_ident(table)).schema
    data = [tuple(_spark_value(t, r.get(n)) for n, t in cols) for r in rows]
    df = spark.createDataFrame(data, schema=schema, verifySchema=False)
    df.createOrReplaceTempView("floe_input")
    spark.sql("INSERT %s %s SELECT * FROM floe_input" % ("OVERWRITE" if overwrite else "INTO", _ident(table)))


def write(args):
    rows = canon.read_rows(args.data)
    spark = _session(args.warehouse)
    cols, schema = canon.table_columns(_warehouse, args.table)
    if args.commit_user or args.identifier is not None:
        print("spark: --commit-user/--identifier ignored (Spark SQL picks its own)", file=sys.stderr)
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
        if batch or (r is None and args.overwrite and not rows):
            _insert(spark, args.table, cols, batch, args.overwrite)
            batch = []
        if r is None:
            break
        if kind not in ("-U", "-D"):
            raise ValueError("bad _ROW_KIND %r" % kind)
        if not pks:
            raise Unsupported("Spark cannot write %s rows to an append table" % kind)
        if args.overwrite:
            raise Unsupported("Spark cannot overwrite with %s rows" % kind)
        conds = []
        for k in pks:
            conds.append("%s = %s" % (_q(k), _literal(types[k], r.get(k))))
        spark.sql("DELETE FROM %s WHERE %s" % (_ident(args.table), " AND ".join(conds)))


def _literal(t, v):
    if v is None:
        raise ValueError("null key in a delete")
    k = t.kind
    if k in ("TINYINT", "SMALLINT", "INT", "BIGINT"):
        return str(int(v))
    if k == "BOOLEAN":
        return "true" if v else "false"
    if k in ("FLOAT", "DOUBLE"):
        return "CAST(%s AS %s)" % (_sql_string(str(v)), k)
    if k == "DECIMAL":
        return "CAST(%s AS DECIMAL(%d, %d))" % (_sql_string(v), t.precision, t.scale)
    if k in ("CHAR", "VARCHAR", "STRING"):
        return _sql_string(v)
    if k == "DATE":
        return "DATE %s" % _sql_string(v)
    if k == "TIMESTAMP":
        return "TIMESTAMP_NTZ %s" % _sql_string(v)
    if k == "TIMESTAMP_LTZ":
        return "TIMESTAMP %s" % _sql_string(v + "Z")
    if k in ("BINARY", "VARBINARY", "BYTES"):
        return "unbase64(%s)" % _sql_string(v)
    raise Unsupported("Spark delete by a %s key" % t.sql())


def alter(args):
    """Each change is one ALTER TABLE statement (one schema version each)."""
    spark = _session(args.warehouse)
    t = _ident(args.table)
    for c in json.load(open(args.changes, encoding="utf-8")):
        op = c["op"]
        if op == "addColumn":
            typ = canon.parse_type(c["type"])
            sql = "ALTER TABLE %s ADD COLUMN %s %s" % (t, _q(c["name"]), _spark_type(typ))
            if c.get("after"):
                sql += " AFTER %s" % _q(c["after"])
        elif op == "dropColumn":
            sql = "ALTER TABLE %s DROP COLUMN %s" % (t, _q(c["name"]))
        elif op == "renameColumn":
            sql = "ALTER TABLE %s RENAME COLUMN %s TO %s" % (t, _q(c["name"]), _q(c["newName"]))
        elif op == "updateColumnType":
            sql = "ALTER TABLE %s ALTER COLUMN %s TYPE %s" % (t, _q(c["name"]), _spark_type(canon.parse_type(c["type"])))
        elif op == "setOption":
            sql = "ALTER TABLE %s SET TBLPROPERTIES (%s = %s)" % (t, _sql_string(c["key"]), _sql_string(str(c["value"])))
        elif op == "removeOption":
            sql = "ALTER TABLE %s UNSET TBLPROPERTIES (%s)" % (t, _sql_string(c["key"]))
        else:
            raise Unsupported("schema change %r" % op)
        spark.sql(sql)


def _call(spark, sql):
    spark.sql(sql).collect()


def compact(args):
    spark = _session(args.warehouse)
    if args.full:
        try:
            _call(spark, "CALL sys.compact(table => %s, compact_strategy => 'full')" % _sql_string(args.table))
            return
        except Exception as e:  # older connectors have no compact_strategy
            if "compact_strategy" not in str(e):
                raise
    _call(spark, "CALL sys.compact(table => %s)" % _sql_string(args.table))


def tag(args):
    spark = _session(args.warehouse)
    sql = "CALL sys.create_tag(table => %s, tag => %s" % (_sql_string(args.table), _sql_string(args.name))
    if args.snapshot is not None:
        sql += ", snapshot => %d" % args.snapshot
    _call(spark, sql + ")")


def tag_delete(args):
    spark = _session(args.warehouse)
    _call(spark, "CALL sys.delete_tag(table => %s, tag => %s)" % (_sql_string(args.table), _sql_string(args.name)))


def rollback(args):
    # sys.rollback's version is a snapshot id or a tag name.
    spark = _session(args.warehouse)
    version = str(args.snapshot) if args.snapshot is not None else args.tag
    _call(spark, "CALL sys.rollback(table => %s, version => %s)" % (_sql_string(args.table), _sql_string(version)))


def expire(args):
    if args.older_than is not None:
        raise Unsupported("expire --older-than (sys.expire_snapshots takes a local timestamp text)")
    spark = _session(args.warehouse)
    sql = "CALL sys.expire_snapshots(table => %s, retain_max => %d" % (_sql_string(args.table), args.retain_max)
    if args.retain_min is not None:
        sql += ", retain_min => %d" % args.retain_min
    _call(spark, sql + ")")


def check(args):
    raise Unsupported("Spark has no consistency check")


def dump(args, out):
    spark = _session(args.warehouse)
    cols, _ = canon.table_columns(_warehouse, args.table, args.snapshot, args.tag)
    # DATE columns come back as text: pyspark's date conversion fails on
    # days before 0001-01-01 (Spark's calendar rebasing can shift old dates
    # there), and the text shows what Spark holds.
    sel = ", ".join("CAST(%s AS STRING)" % _q(n) if t.kind == "DATE" else _q(n) for n, t in cols)
    sql = "SELECT %s FROM %s" % (sel, _ident(args.table))
    if args.snapshot is not None:
        sql += " VERSION AS OF %d" % args.snapshot
    elif args.tag is not None:
        sql += " VERSION AS OF %s" % _sql_string(args.tag)
    rows = spark.sql(sql).collect()
    lines = [canon.canon_row(cols, [_from_spark(t, r[i]) for i, (_, t) in enumerate(cols)]) for r in rows]
    canon.print_sorted(lines, out)


def _from_spark(t, v):
    """pyspark's Python value as canon.canon expects it."""
    if v is None:
        return None
    k = t.kind
    if k == "ARRAY":
        return [_from_spark(t.elem, x) for x in v]
    if k == "MAP":
        return [(_from_spark(t.key, a), _from_spark(t.value, b)) for a, b in v.items()]
    if k == "ROW":
        return {n: _from_spark(ft, v[i]) for i, (n, ft) in enumerate(t.fields)}
    if k == "TIMESTAMP_LTZ" and isinstance(v, datetime.datetime) and v.tzinfo is None:
        # pyspark gives local time; the tool runs with TZ=UTC.
        return v.replace(tzinfo=datetime.timezone.utc)
    return v
