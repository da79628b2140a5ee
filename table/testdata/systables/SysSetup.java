// SysSetup adds to the table sys/ (written by floe, see README.md) what
// floe does not write: two tags, a branch and ANALYZE statistics, with
// Java Paimon 1.4.2's API. Not part of the build; run as SysDump.java
// says, with arguments WAREHOUSE db.t.

import org.apache.paimon.catalog.*;
import org.apache.paimon.options.Options;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.sink.*;
import org.apache.paimon.stats.*;
import java.util.*;

public class SysSetup {
  public static void main(String[] a) throws Exception {
    Options o = new Options();
    o.set("warehouse", a[0]);
    Catalog c = CatalogFactory.createCatalog(CatalogContext.create(o));
    FileStoreTable t = (FileStoreTable) c.getTable(Identifier.fromString(a[1]));
    t.createTag("v1", 1, java.time.Duration.ofDays(1));
    t.createTag("a0", 2);
    t.createBranch("b1");
    Map<String, ColStats<?>> cs = new LinkedHashMap<>();
    cs.put("id", ColStats.newColStats(1, 3L, 1, 9, 0L, 4L, 4L));
    cs.put("v", ColStats.newColStats(2, 3L, null, null, 1L, 2L, 2L));
    long snap = t.snapshotManager().latestSnapshotId();
    Statistics st = new Statistics(snap, t.schema().id(), 4L, 1234L, cs);
    try (BatchTableCommit commit = t.newBatchWriteBuilder().newCommit()) {
      commit.updateStatistics(st);
    }
  }
}
