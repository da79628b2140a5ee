"""The pypaimon engine of the interop tool contract (interop/README.md)."""

import json
import os
import sys

import pyarrow as pa

import canon
from common import Unsupported


def _catalog(warehouse):
    from pypaimon import CatalogFactory
    return CatalogFactory.create({"warehouse": os.path.abspath(warehouse)})


def _to_pypaimon(t, ids):
    """A pypaimon DataType for canon.Type t; ids is the running field-id
    counter (a one-element list) for nested ROW fields."""
    from pypaimon.schema.data_types import AtomicType, ArrayType, MapType, RowType, DataField
    if t.kind == "ARRAY":
        return ArrayType(t.nullable, _to_pypaimon(t.elem, ids))
    if t.kind == "MAP":
        return MapType(t.nullable, _to_pypaimon(t.key, ids), _to_pypaimon(t.value, ids))
    if t.kind == "ROW":
        fields = []
        for n, ft in t.fields:
            ids[0] += 1
            fid = ids[0]
            fields.append(DataField(fid, n, _to_pypaimon(ft, ids)))
        return RowType(t.nullable, fields)
    base = canon.Type(t.kind, True, t.length, t.precision, t.scale).sql()
    return AtomicType(base, t.nullable)


def from_pypaimon(dt):
    """The canon.Type of a pypaimon DataType."""
    from pypaimon.schema.data_types import AtomicType, ArrayType, MapType, RowType
    if isinstance(dt, AtomicType):
        t = canon.parse_type(dt.type)
    elif isinstance(dt, ArrayType):
        t = canon.Type("ARRAY", elem=from_pypaimon(dt.element))
    elif isinstance(dt, MapType):
        t = canon.Type("MAP", key=from_pypaimon(dt.key), value=from_pypaimon(dt.value))
    elif isinstance(dt, RowType):
        t = canon.Type("ROW", fields=[(f.name, from_pypaimon(f.type)) for f in dt.fields])
    else:
        raise Unsupported("pypaimon type %s" % dt)
    t.nullable = dt.nullable
    return t


def create(args):
    from pypaimon import Schema
    from pypaimon.schema.data_types import DataField
    spec = json.load(open(args.spec, encoding="utf-8"))
    db, name = spec["table"].split(".", 1)
    cols = [(c["name"], canon.parse_type(c["type"])) for c in spec["columns"]]
    ids = [len(cols) - 1]
    fields = []
    for i, (n, t) in enumerate(cols):
        fields.append(DataField(i, n, _to_pypaimon(t, ids)))
    options = {k: str(v) for k, v in (spec.get("options") or {}).items()}
    pks = spec.get("primaryKeys") or []
    schema = Schema(fields, spec.get("partitionKeys") or [], pks, options)
    # Schema() makes primary-key columns nullable unless primary-key.nullable
    # is set; Paimon requires them NOT NULL.
    for f in schema.fields:
        if f.name in pks:
            f.type.nullable = False
    cat = _catalog(args.warehouse)
    cat.create_database(db, True)
    cat.create_table(spec["table"], schema, False)


def alter(args):
    from pypaimon.schema.schema_change import Move, SchemaChange
    changes = []
    for c in json.load(open(args.changes, encoding="utf-8")):
        op = c["op"]
        if op == "addColumn":
            move = Move.after(c["name"], c["after"]) if c.get("after") else None
            changes.append(SchemaChange.add_column(c["name"], _to_pypaimon(canon.parse_type(c["type"]), [0]), move=move))
        elif op == "dropColumn":
            changes.append(SchemaChange.drop_column(c["name"]))
        elif op == "renameColumn":
            changes.append(SchemaChange.rename_column(c["name"], c["newName"]))
        elif op == "updateColumnType":
            changes.append(SchemaChange.update_column_type(c["name"], _to_pypaimon(canon.parse_type(c["type"]), [0])))
        elif op == "setOption":
            changes.append(SchemaChange.set_option(c["key"], str(c["value"])))
        elif op == "removeOption":
            changes.append(SchemaChange.remove_option(c["key"]))
        else:
            raise Unsupported("schema change %r" % op)
    _catalog(args.warehouse).alter_table(args.table, changes)


def _table(args):
    return _catalog(args.warehouse).get_table(args.table)


def _columns(table):
    return [(f.name, from_pypaimon(f.type)) for f in table.fields]


def _arrow_table(table, rows):
    from pypaimon.schema.data_types import PyarrowFieldParser
    schema = PyarrowFieldParser.from_paimon_schema(table.fields)
    cols = _columns(table)
    arrays = []
    for (name, t), field in zip(cols, schema):
        vals = [canon.from_json(t, r.get(name), ts_mode="epoch", ts_unit=_unit_of(field.type, t))
                for r in rows]
        arrays.append(pa.array(vals, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _unit_of(arrow_type, t):
    """A function giving, for a canon timestamp type nested anywhere in
    arrow_type, the Arrow unit pypaimon stores it in; pypaimon maps the
    precision the same way everywhere, so the precision decides."""
    def unit(tt):
        p = tt.precision
        return "s" if p == 0 else "ms" if p <= 3 else "us" if p <= 6 else "ns"
    return unit


def write(args):
    rows = canon.read_rows(args.data)
    kinds = {r.pop("_ROW_KIND", "+I") for r in rows}
    if kinds - {"+I", "+U"}:
        # pypaimon's writer takes a row kind only from a table column named
        # by the 'rowkind.field' option; the contract's tables have none.
        raise Unsupported("pypaimon cannot write row kinds %s" % sorted(kinds - {"+I", "+U"}))
    table = _table(args)
    data = _arrow_table(table, rows)
    if args.overwrite or args.identifier is None:
        wb = table.new_batch_write_builder()
        if args.commit_user:
            wb._with_commit_user(args.commit_user)
        if args.overwrite:
            if args.identifier is not None:
                print("pypaimon: an overwrite commits as a batch; --identifier ignored", file=sys.stderr)
            wb.overwrite()
        w = wb.new_write()
        w.write_arrow(data)
        msgs = w.prepare_commit()
        c = wb.new_commit()
        c.commit(msgs)
        w.close()
        c.close()
    else:
        wb = table.new_stream_write_builder()
        if args.commit_user:
            wb._with_commit_user(args.commit_user)
        w = wb.new_write()
        w.write_arrow(data)
        msgs = w.prepare_commit(args.identifier)
        c = wb.new_commit()
        c.commit(msgs, args.identifier)
        w.close()
        c.close()


def compact(args):
    raise Unsupported("pypaimon has no compaction")


def expire(args):
    raise Unsupported("pypaimon has no snapshot expiration")


def check(args):
    raise Unsupported("pypaimon has no consistency check")


def tag(args):
    _table(args).create_tag(args.name, snapshot_id=args.snapshot)


def tag_delete(args):
    if not _table(args).delete_tag(args.name):
        raise ValueError("tag %s does not exist" % args.name)


def rollback(args):
    # FileStoreTable.rollback_to: an int is a snapshot id, a str a tag.
    table = _table(args)
    table.rollback_to(args.snapshot if args.snapshot is not None else args.tag)


def dump(args, out):
    table = _table(args)
    if args.snapshot is not None:
        table = table.copy({"scan.snapshot-id": str(args.snapshot)})
    elif args.tag is not None:
        table = table.copy({"scan.tag-name": args.tag})
    cols = _columns(table)
    rb = table.new_read_builder()
    splits = rb.new_scan().plan().splits()
    data = rb.new_read().to_arrow(splits)
    lines = []
    if data is not None and data.num_rows:
        pycols = [data.column(n).to_pylist() for n, _ in cols]
        for i in range(data.num_rows):
            lines.append(canon.canon_row(cols, [c[i] for c in pycols]))
    canon.print_sorted(lines, out)
