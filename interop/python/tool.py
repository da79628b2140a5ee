"""The interop tool of interop/README.md for pypaimon and Spark SQL.

    tool.py pypaimon <subcommand> …
    tool.py spark --paimon VERSION <subcommand> …
"""

import argparse
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
    p.add_argument("engine", choices=["pypaimon", "spark"])
    p.add_argument("--paimon", help="Paimon version of the Spark connector")
    p.add_argument("cmd", choices=["create", "write", "compact", "tag", "expire", "dump", "check"])
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
    a = p.parse_args(argv)
    if a.cmd == "create" and not a.spec:
        p.error("create needs --spec")
    if a.cmd != "create" and not a.table:
        p.error("%s needs --table" % a.cmd)
    if a.cmd == "write" and not a.data:
        p.error("write needs --data")
    if a.cmd == "tag" and not a.name:
        p.error("tag needs --name")
    if a.cmd == "expire" and a.retain_max is None:
        p.error("expire needs --retain-max")
    if a.engine == "spark" and not a.paimon:
        p.error("spark needs --paimon VERSION")
    return a


def main(argv):
    a = parse(argv)
    try:
        if a.engine == "pypaimon":
            import pypaimon_engine as eng
        else:
            import spark_engine as eng
        if a.cmd == "dump":
            eng.dump(a, sys.stdout)
        else:
            getattr(eng, a.cmd)(a)
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
