"""The interop tool of interop/README.md for pypaimon, Spark SQL and Flink SQL.

    tool.py pypaimon <subcommand> …
    tool.py spark|flink --paimon VERSION <subcommand> …
    tool.py spark|flink --paimon VERSION serve

serve keeps one process (and one Spark session or Flink JVM) for many
commands: it reads
one JSON array per line on stdin, the subcommand and its arguments, runs it
and answers with one JSON object per line on stdout:
{"code": exit status, "out": its stdout, "err": its stderr}.
"""

import argparse
import contextlib
import io
import json
import os
import sys
import time
import traceback

os.environ["TZ"] = "UTC"
time.tzset()

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import Unavailable, Unsupported  # noqa: E402


def parse(argv):
    p = argparse.ArgumentParser(prog="tool.sh")
    p.add_argument("engine", choices=["pypaimon", "spark", "flink"])
    p.add_argument("--paimon", help="Paimon version of the Spark or Flink connector")
    p.add_argument("cmd", choices=["create", "write", "compact", "tag", "tag-delete", "expire", "rollback", "dump", "check", "alter", "stream"])
    p.add_argument("--warehouse", required=True)
    p.add_argument("--spec")
    p.add_argument("--table")
    p.add_argument("--data")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--commit-user")
    p.add_argument("--identifier", type=int)
    p.add_argument("--full", action="store_true")
    p.add_argument("--name")
    p.add_argument("--snapshot", type=int)
    p.add_argument("--tag")
    p.add_argument("--retain-max", type=int)
    p.add_argument("--retain-min", type=int)
    p.add_argument("--older-than", type=int)
    p.add_argument("--changes")
    p.add_argument("--from-snapshot", type=int)
    a = p.parse_args(argv)
    if a.cmd == "create" and not a.spec:
        p.error("create needs --spec")
    if a.cmd != "create" and not a.table:
        p.error("%s needs --table" % a.cmd)
    if a.cmd == "write" and not a.data:
        p.error("write needs --data")
    if a.cmd == "alter" and not a.changes:
        p.error("alter needs --changes")
    if a.cmd in ("tag", "tag-delete") and not a.name:
        p.error("%s needs --name" % a.cmd)
    if a.cmd == "rollback" and (a.snapshot is None) == (a.tag is None):
        p.error("rollback needs one of --snapshot and --tag")
    if a.cmd == "expire" and a.retain_max is None:
        p.error("expire needs --retain-max")
    if a.engine in ("spark", "flink") and not a.paimon:
        p.error("%s needs --paimon VERSION" % a.engine)
    return a


def main(argv):
    a = parse(argv)
    try:
        if a.engine == "pypaimon":
            import pypaimon_engine as eng
        elif a.engine == "spark":
            import spark_engine as eng
        else:
            import flink_engine as eng
        if a.cmd == "stream" and not hasattr(eng, "stream"):
            raise Unsupported("streaming reads")
        if a.cmd in ("dump", "stream"):
            getattr(eng, a.cmd)(a, sys.stdout)
        else:
            getattr(eng, a.cmd.replace("-", "_"))(a)
    except Unsupported as e:
        print("unsupported: %s" % e, file=sys.stderr)
        return 3
    except Unavailable as e:
        print("unavailable: %s" % e, file=sys.stderr)
        return 4
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        print("error: %s" % e, file=sys.stderr)
        return 1
    return 0


def serve(prefix):
    # The protocol owns the original stdout; anything else that writes to
    # fd 1 (the JVM) goes to stderr instead.
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(prefix + json.loads(line))
            except SystemExit as e:  # argparse usage errors
                code = e.code if isinstance(e.code, int) else 2
            except Exception as e:  # noqa: BLE001
                traceback.print_exc()
                code = 1
        proto.write(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue()}) + "\n")
        proto.flush()
    return 0


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv and argv[-1] == "serve":
        sys.exit(serve(argv[:-1]))
    # Output goes to the original stdout; anything else that writes to fd 1
    # (a JVM the engine starts) goes to stderr.
    sys.stdout = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    code = main(argv)
    sys.stdout.flush()
    sys.exit(code)
