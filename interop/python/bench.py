"""pypaimon on Paimon's micro-benchmark shape (INT key + 20 STRING columns of
10 random hex characters, random keys, one bucket): one batch write, then a
full read. Prints one JSON object with rows per second of each, the cores
busy in each (process CPU seconds over wall seconds) and the peak RSS."""
import json
import resource
import random
import sys
import tempfile
import time

import pyarrow as pa
from pypaimon import CatalogFactory, Schema


def main():
    rows = int(sys.argv[1])
    wh = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="floe-bench-py-")
    rnd = random.Random(42)
    fields = [("k", pa.int32(), False)] + [(f"f{i}", pa.string(), True) for i in range(20)]
    sch = pa.schema([pa.field(n, t, nullable=nl) for n, t, nl in fields])
    cols = [pa.array([rnd.randrange(rows) for _ in range(rows)], pa.int32())]
    for _ in range(20):
        cols.append(pa.array(["%010x" % rnd.getrandbits(40) for _ in range(rows)], pa.string()))
    data = pa.Table.from_arrays(cols, schema=sch)

    cat = CatalogFactory.create({"warehouse": wh})
    cat.create_database("bench", True)
    cat.create_table("bench.micro", Schema.from_pyarrow_schema(sch, primary_keys=["k"], options={"bucket": "1"}), False)
    t = cat.get_table("bench.micro")

    def cpu():
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    c0 = cpu()
    t0 = time.perf_counter()
    wb = t.new_batch_write_builder()
    w = wb.new_write()
    w.write_arrow(data)
    wb.new_commit().commit(w.prepare_commit())
    w.close()
    t1 = time.perf_counter()
    c1 = cpu()
    rb = t.new_read_builder()
    out = rb.new_read().to_arrow(rb.new_scan().plan().splits())
    t2 = time.perf_counter()
    c2 = cpu()
    print(json.dumps({"rows": rows, "distinct": out.num_rows,
                      "write_rows_per_s": round(rows / (t1 - t0)),
                      "read_rows_per_s": round(out.num_rows / (t2 - t1)),
                      "write_cores": round((c1 - c0) / (t1 - t0), 2),
                      "read_cores": round((c2 - c1) / (t2 - t1), 2),
                      # ru_maxrss is in KiB on Linux
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


if __name__ == "__main__":
    main()
