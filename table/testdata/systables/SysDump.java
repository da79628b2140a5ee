// SysDump prints Paimon's system tables of a table as Java Paimon reads
// them: the .java.txt files beside it, which table/systable_test.go
// compares floe's system tables with. Not part of the build; to rerun
// (with the classpath the interop tool caches, interop/java/tool.sh):
//
//   CP=$(cat ~/.cache/floe/interop-java/1.4.2/*/classpath.txt | head -1)
//   javac -cp "$CP" -d /tmp/sysdump SysDump.java
//   java -Duser.timezone=Asia/Kolkata -cp "$CP:/tmp/sysdump" SysDump TABLE_DIR NAME... > OUT
//
// Each table: a "# name: column TYPE ..." line, then one line per row,
// cells joined by " | ": null as null, TIMESTAMP(p) as LocalDateTime
// cut to p digits, ARRAY<STRING> as [a, b], other values as Java's
// toString; the table's directory is written <table>.

import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.fs.Path;
import org.apache.paimon.fs.local.LocalFileIO;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.FileStoreTableFactory;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.table.source.TableRead;
import org.apache.paimon.table.system.SystemTableLoader;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataTypeRoot;
import org.apache.paimon.types.RowType;
import org.apache.paimon.types.TimestampType;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

public class SysDump {
    public static void main(String[] args) throws Exception {
        String dir = new File(args[0]).getAbsolutePath();
        FileStoreTable table = FileStoreTableFactory.create(LocalFileIO.create(), new Path(dir));
        for (int k = 1; k < args.length; k++) {
            Table t = SystemTableLoader.load(args[k], table);
            RowType rt = t.rowType();
            StringBuilder h = new StringBuilder("# " + args[k] + ":");
            for (DataField f : rt.getFields()) {
                h.append(' ').append(f.name()).append(' ').append(f.type());
            }
            System.out.println(h);
            ReadBuilder rb = t.newReadBuilder();
            TableRead read = rb.newRead();
            for (Split s : rb.newScan().plan().splits()) {
                try (RecordReader<InternalRow> r = read.createReader(s)) {
                    r.forEachRemaining(row -> System.out.println(line(row, rt).replace(dir, "<table>")));
                }
            }
        }
    }

    static String line(InternalRow row, RowType rt) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rt.getFieldCount(); i++) {
            if (i > 0) {
                sb.append(" | ");
            }
            Object v = InternalRow.createFieldGetter(rt.getTypeAt(i), i).getFieldOrNull(row);
            if (v instanceof Timestamp && rt.getTypeAt(i).getTypeRoot() == DataTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE
                    && ((TimestampType) rt.getTypeAt(i)).getPrecision() <= 3) {
                v = Timestamp.fromEpochMillis(((Timestamp) v).getMillisecond());
            }
            if (v instanceof InternalArray) {
                InternalArray a = (InternalArray) v;
                List<String> l = new ArrayList<>();
                for (int j = 0; j < a.size(); j++) {
                    l.add(a.isNullAt(j) ? "null" : a.getString(j).toString());
                }
                v = l;
            }
            sb.append(v);
        }
        return sb.toString();
    }
}
