// The interop tool for Java Paimon: the command-line contract of
// interop/README.md, implemented with Paimon's Java API. It compiles against
// both Paimon 1.4.x and 2.0.x (only API present in both is used).

import java.io.BufferedReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.paimon.CoreOptions;
import org.apache.paimon.Snapshot;
import org.apache.paimon.append.AppendCompactCoordinator;
import org.apache.paimon.append.AppendCompactTask;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.disk.IOManager;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.BinaryRow;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.DataGetters;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.GenericArray;
import org.apache.paimon.data.GenericMap;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.InternalMap;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.fs.Path;
import org.apache.paimon.index.BucketAssigner;
import org.apache.paimon.index.HashBucketAssigner;
import org.apache.paimon.index.SimpleHashBucketAssigner;
import org.apache.paimon.io.DataFileMeta;
import org.apache.paimon.operation.BaseAppendFileStoreWrite;
import org.apache.paimon.options.ExpireConfig;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.shade.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.paimon.shade.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.paimon.table.BucketMode;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.sink.BatchTableCommit;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.sink.BatchWriteBuilder;
import org.apache.paimon.table.sink.CommitMessage;
import org.apache.paimon.table.sink.RowPartitionKeyExtractor;
import org.apache.paimon.table.sink.TableCommitImpl;
import org.apache.paimon.table.sink.TableWriteImpl;
import org.apache.paimon.table.source.DataSplit;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.table.source.StreamTableScan;
import org.apache.paimon.table.source.TableRead;
import org.apache.paimon.types.ArrayType;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypeChecks;
import org.apache.paimon.types.DataTypeJsonParser;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.MapType;
import org.apache.paimon.types.RowKind;
import org.apache.paimon.types.RowType;

public class Tool {

    /** Exit status for "this engine cannot do that". */
    static final int UNSUPPORTED = 3;

    static final class Unsupported extends Exception {
        Unsupported(String msg) {
            super(msg);
        }
    }

    // Floats parse as doubles (keeping -0.0, which BigDecimal cannot);
    // FLOAT columns round that double to float32.
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("serve")) {
            serve();
            System.exit(0);
        }
        System.exit(runOnce(args));
    }

    // runOnce runs one command and returns its exit status.
    static int runOnce(String[] args) {
        try {
            run(args);
            System.out.flush();
            return 0;
        } catch (Unsupported e) {
            System.err.println("unsupported: " + e.getMessage());
            return UNSUPPORTED;
        } catch (Throwable e) {
            System.err.println("error: " + e);
            e.printStackTrace(System.err);
            return 1;
        }
    }

    // serve runs many commands in one JVM (interop/README.md): each stdin
    // line is a JSON array of arguments; each answer one stdout line,
    // {"code":N,"out":"...","err":"..."}, with the command's own stdout and
    // stderr captured.
    static void serve() {
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        BufferedReader in =
                new BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.trim().isEmpty()) {
                    continue;
                }
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                int code;
                PrintStream po = new PrintStream(out, false, "UTF-8");
                PrintStream pe = new PrintStream(err, true, "UTF-8");
                System.setOut(po);
                System.setErr(pe);
                try {
                    String[] argv = JSON.readValue(line, String[].class);
                    code = runOnce(argv);
                } catch (Throwable e) {
                    pe.println("error: " + e);
                    code = 1;
                } finally {
                    po.flush();
                    pe.flush();
                    System.setOut(realOut);
                    System.setErr(realErr);
                }
                Map<String, Object> ans = new LinkedHashMap<>();
                ans.put("code", code);
                ans.put("out", new String(out.toByteArray(), StandardCharsets.UTF_8));
                ans.put("err", new String(err.toByteArray(), StandardCharsets.UTF_8));
                realOut.println(JSON.writeValueAsString(ans));
                realOut.flush();
            }
        } catch (IOException e) {
            realErr.println("serve: " + e);
        }
    }

    // ---- arguments ----

    static Map<String, String> flags(String[] args, int from) {
        Map<String, String> m = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            String k = a.substring(2);
            int eq = k.indexOf('=');
            if (eq >= 0) {
                m.put(k.substring(0, eq), k.substring(eq + 1));
            } else if (k.equals("overwrite") || k.equals("full")) {
                m.put(k, "true");
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("flag --" + k + " needs a value");
                }
                m.put(k, args[++i]);
            }
        }
        return m;
    }

    static String need(Map<String, String> f, String k) {
        String v = f.get(k);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + k);
        }
        return v;
    }

    static void run(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException(
                    "usage: Tool create|write|alter|compact|tag|tag-delete|branch|expire|rollback|dump|check|stream --warehouse W ...");
        }
        String cmd = args[0];
        Map<String, String> f = flags(args, 1);
        if (cmd.equals("cast") || cmd.equals("castrules")) {
            CastCheck.run(cmd, f); // floe's cast tests; no warehouse
            return;
        }
        if (cmd.equals("autotag")) {
            TagCheck.run(f); // floe's automatic tag and partition time tests; no warehouse
            return;
        }
        try (Catalog catalog = openCatalog(need(f, "warehouse"))) {
            switch (cmd) {
                case "create":
                    create(catalog, need(f, "spec"));
                    break;
                case "write":
                    write(
                            catalog,
                            need(f, "table"),
                            need(f, "data"),
                            f.containsKey("overwrite"),
                            f.get("commit-user"),
                            f.get("identifier"));
                    break;
                case "compact":
                    compact(catalog, need(f, "table"), f.containsKey("full"));
                    break;
                case "tag":
                    tag(catalog, need(f, "table"), need(f, "name"), f.get("snapshot"));
                    break;
                case "alter":
                    alter(catalog, need(f, "table"), need(f, "changes"));
                    break;
                case "branch":
                    branch(catalog, need(f, "table"), need(f, "action"), f.get("name"), f.get("tag"));
                    break;
                case "tag-delete":
                    tagDelete(catalog, need(f, "table"), need(f, "name"));
                    break;
                case "expire":
                    expire(
                            catalog,
                            need(f, "table"),
                            need(f, "retain-max"),
                            f.get("retain-min"),
                            f.get("older-than"));
                    break;
                case "rollback":
                    rollback(catalog, need(f, "table"), f.get("snapshot"), f.get("tag"));
                    break;
                case "dump":
                    dump(catalog, need(f, "table"), f.get("snapshot"), f.get("tag"));
                    break;
                case "check":
                    check(catalog, need(f, "table"));
                    break;
                case "stream":
                    stream(catalog, need(f, "table"), f.getOrDefault("from-snapshot", "1"));
                    break;
                case "bench":
                    bench(catalog, Integer.parseInt(need(f, "rows")));
                    break;
                case "bench-compact":
                    benchCompact(
                            catalog,
                            need(f, "phase"),
                            f.getOrDefault("shape", "micro"),
                            Integer.parseInt(need(f, "rows")),
                            Integer.parseInt(f.getOrDefault("commits", "10")));
                    break;
                case "bench-merge":
                    benchMerge(catalog, need(f, "phase"), need(f, "engine"), Integer.parseInt(need(f, "rows")));
                    break;
                case "bench-stream":
                    benchStream(
                            catalog,
                            Integer.parseInt(f.getOrDefault("commits", "20")),
                            Integer.parseInt(f.getOrDefault("poll-ms", "10")));
                    break;
                case "bench-plan":
                    benchPlan(catalog, need(f, "table"), Integer.parseInt(f.getOrDefault("runs", "3")));
                    break;
                default:
                    throw new Unsupported("unknown subcommand " + cmd);
            }
        }
    }

    static Catalog openCatalog(String warehouse) {
        String abs = Paths.get(warehouse).toAbsolutePath().toString();
        return CatalogFactory.createCatalog(CatalogContext.create(new Path(abs)));
    }

    /** Spill and lookup files go to the JVM's temp directory. */
    static IOManager ioManager() {
        return IOManager.create(System.getProperty("java.io.tmpdir"));
    }

    static FileStoreTable table(Catalog catalog, String name) throws Exception {
        Table t = catalog.getTable(Identifier.fromString(name));
        if (!(t instanceof FileStoreTable)) {
            throw new Unsupported(name + " is not a file store table");
        }
        return (FileStoreTable) t;
    }

    // ---- create ----

    /**
     * Parses a Paimon SQL type string. Paimon's own parser handles atomic
     * types; ARRAY, MAP, MULTISET and ROW are taken apart here.
     */
    static DataType parseType(String sql) {
        String s = sql.trim();
        int lt = s.indexOf('<');
        String head = lt < 0 ? "" : s.substring(0, lt).trim().toUpperCase(java.util.Locale.ROOT);
        if (!(head.equals("ARRAY") || head.equals("MAP") || head.equals("MULTISET") || head.equals("ROW"))) {
            return DataTypeJsonParser.parseAtomicTypeSQLString(s);
        }
        int depth = 0;
        int gt = -1;
        for (int i = lt; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '<' || c == '(') {
                depth++;
            } else if (c == '>' || c == ')') {
                if (--depth == 0) {
                    gt = i;
                    break;
                }
            }
        }
        if (gt < 0 || s.charAt(gt) != '>') {
            throw new IllegalArgumentException("unbalanced type " + sql);
        }
        String inner = s.substring(lt + 1, gt);
        String tail = s.substring(gt + 1).trim().toUpperCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
        boolean nullable;
        if (tail.isEmpty() || tail.equals("NULL")) {
            nullable = true;
        } else if (tail.equals("NOT NULL")) {
            nullable = false;
        } else {
            throw new IllegalArgumentException("unexpected '" + tail + "' in type " + sql);
        }
        List<String> parts = splitTopLevel(inner);
        DataType t;
        switch (head) {
            case "ARRAY":
                if (parts.size() != 1) {
                    throw new IllegalArgumentException("bad type " + sql);
                }
                t = DataTypes.ARRAY(parseType(parts.get(0)));
                break;
            case "MULTISET":
                if (parts.size() != 1) {
                    throw new IllegalArgumentException("bad type " + sql);
                }
                t = DataTypes.MULTISET(parseType(parts.get(0)));
                break;
            case "MAP":
                if (parts.size() != 2) {
                    throw new IllegalArgumentException("bad type " + sql);
                }
                t = DataTypes.MAP(parseType(parts.get(0)), parseType(parts.get(1)));
                break;
            default:
                {
                    List<DataField> fs = new ArrayList<>();
                    for (String part : parts) {
                        String f = part.trim();
                        String fname;
                        String ftype;
                        if (f.startsWith("`")) {
                            int end = f.indexOf('`', 1);
                            fname = f.substring(1, end);
                            ftype = f.substring(end + 1);
                        } else {
                            int sp = 0;
                            while (sp < f.length() && !Character.isWhitespace(f.charAt(sp))) {
                                sp++;
                            }
                            fname = f.substring(0, sp);
                            ftype = f.substring(sp);
                        }
                        fs.add(new DataField(fs.size(), fname, parseType(ftype)));
                    }
                    t = new RowType(fs);
                }
        }
        return t.copy(nullable);
    }

    static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '`') {
                quoted = !quoted;
            } else if (quoted) {
                continue;
            } else if (c == '<' || c == '(') {
                depth++;
            } else if (c == '>' || c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null && !n.isNull()) {
            for (JsonNode e : n) {
                out.add(e.asText());
            }
        }
        return out;
    }

    static void create(Catalog catalog, String specPath) throws Exception {
        JsonNode spec = JSON.readTree(Files.readAllBytes(Paths.get(specPath)));
        Identifier id = Identifier.fromString(spec.get("table").asText());
        Schema.Builder b = Schema.newBuilder();
        for (JsonNode c : spec.get("columns")) {
            b.column(c.get("name").asText(), parseType(c.get("type").asText()));
        }
        List<String> pk = strings(spec.get("primaryKeys"));
        if (!pk.isEmpty()) {
            b.primaryKey(pk);
        }
        List<String> part = strings(spec.get("partitionKeys"));
        if (!part.isEmpty()) {
            b.partitionKeys(part);
        }
        JsonNode opts = spec.get("options");
        if (opts != null && !opts.isNull()) {
            Iterator<Map.Entry<String, JsonNode>> it = opts.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                b.option(e.getKey(), e.getValue().asText());
            }
        }
        catalog.createDatabase(id.getDatabaseName(), true);
        catalog.createTable(id, b.build(), false);
    }

    // ---- alter ----

    /** Applies CHANGES.json (interop/README.md) as one Catalog.alterTable call. */
    static void alter(Catalog catalog, String name, String changesPath) throws Exception {
        JsonNode arr = JSON.readTree(Files.readAllBytes(Paths.get(changesPath)));
        List<org.apache.paimon.schema.SchemaChange> changes = new ArrayList<>();
        for (JsonNode c : arr) {
            String op = c.get("op").asText();
            switch (op) {
                case "addColumn": {
                    String comment = c.hasNonNull("comment") ? c.get("comment").asText() : null;
                    org.apache.paimon.schema.SchemaChange.Move move = null;
                    if (c.hasNonNull("after")) {
                        move = org.apache.paimon.schema.SchemaChange.Move.after(
                                c.get("name").asText(), c.get("after").asText());
                    } else if (c.has("first") && c.get("first").asBoolean()) {
                        move = org.apache.paimon.schema.SchemaChange.Move.first(c.get("name").asText());
                    }
                    changes.add(org.apache.paimon.schema.SchemaChange.addColumn(
                            c.get("name").asText(), parseType(c.get("type").asText()), comment, move));
                    break;
                }
                case "dropColumn":
                    changes.add(org.apache.paimon.schema.SchemaChange.dropColumn(c.get("name").asText()));
                    break;
                case "renameColumn":
                    changes.add(org.apache.paimon.schema.SchemaChange.renameColumn(
                            c.get("name").asText(), c.get("newName").asText()));
                    break;
                case "updateColumnType":
                    changes.add(org.apache.paimon.schema.SchemaChange.updateColumnType(
                            c.get("name").asText(), parseType(c.get("type").asText())));
                    break;
                case "setOption":
                    changes.add(org.apache.paimon.schema.SchemaChange.setOption(
                            c.get("key").asText(), c.get("value").asText()));
                    break;
                case "removeOption":
                    changes.add(org.apache.paimon.schema.SchemaChange.removeOption(c.get("key").asText()));
                    break;
                default:
                    throw new Unsupported("schema change " + op);
            }
        }
        catalog.alterTable(Identifier.fromString(name), changes, false);
    }

    // ---- write ----

    static void write(
            Catalog catalog,
            String name,
            String dataPath,
            boolean overwrite,
            String commitUser,
            String identifier)
            throws Exception {
        FileStoreTable table = table(catalog, name);
        RowType rt = table.rowType();
        List<InternalRow> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(Paths.get(dataPath), StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.trim().isEmpty()) {
                    continue;
                }
                try {
                    rows.add(toRow(JSON.readTree(line), rt));
                } catch (Exception e) {
                    throw new IllegalArgumentException(dataPath + ":" + n + ": " + e.getMessage(), e);
                }
            }
        }
        if (commitUser == null && identifier == null) {
            BatchWriteBuilder wb = table.newBatchWriteBuilder();
            if (overwrite) {
                wb = wb.withOverwrite();
            }
            try (BatchTableWrite w = wb.newWrite();
                    BatchTableCommit c = wb.newCommit()) {
                w.withIOManager(ioManager());
                writeRows(table, (TableWriteImpl<?>) w, rows, UUID.randomUUID().toString(), overwrite);
                c.commit(w.prepareCommit());
            }
            return;
        }
        String user = commitUser != null ? commitUser : UUID.randomUUID().toString();
        long ident = identifier != null ? Long.parseLong(identifier) : 0L;
        try (TableWriteImpl<?> w = table.newWrite(user);
                TableCommitImpl c = table.newCommit(user)) {
            w.withIOManager(ioManager());
            if (overwrite) {
                w.withIgnorePreviousFiles(true);
                c.withOverwrite(Collections.emptyMap());
            }
            writeRows(table, w, rows, user, overwrite);
            // Wait for the compaction the writer started (deletion-vector and
            // first-row tables compact on write), as batch commits do.
            c.commit(ident, w.prepareCommit(true, ident));
        }
    }

    /**
     * Writes rows. A primary-key table with dynamic buckets (bucket = -1)
     * gets its buckets from Paimon's hash bucket assigner, as the Flink and
     * Spark writers do with one assigner: keys already in the table's
     * dynamic-bucket index keep their bucket, new keys fill buckets up to
     * dynamic-bucket.target-row-num (per partition). The writer itself
     * maintains the HASH index files and puts them in the commit messages.
     * An overwrite starts from empty buckets (SimpleHashBucketAssigner).
     */
    static void writeRows(
            FileStoreTable table, TableWriteImpl<?> w, List<InternalRow> rows, String user, boolean overwrite)
            throws Exception {
        if (table.bucketMode() != BucketMode.HASH_DYNAMIC) {
            for (InternalRow row : rows) {
                w.write(row);
            }
            return;
        }
        CoreOptions opts = table.coreOptions();
        Integer maxBuckets = opts.dynamicBucketMaxBuckets();
        int max = maxBuckets == null ? -1 : maxBuckets;
        BucketAssigner assigner =
                overwrite
                        ? new SimpleHashBucketAssigner(1, 0, opts.dynamicBucketTargetRowNum(), max)
                        : new HashBucketAssigner(
                                table.snapshotManager(),
                                user,
                                table.store().newIndexFileHandler(),
                                1,
                                1,
                                0,
                                opts.dynamicBucketTargetRowNum(),
                                max);
        RowPartitionKeyExtractor keys = new RowPartitionKeyExtractor(table.schema());
        for (InternalRow row : rows) {
            int bucket = assigner.assign(keys.partition(row), keys.trimmedPrimaryKey(row).hashCode());
            w.write(row, bucket);
        }
    }

    static InternalRow toRow(JsonNode obj, RowType rt) {
        List<DataField> fields = rt.getFields();
        GenericRow row = new GenericRow(fields.size());
        JsonNode kind = obj.get("_ROW_KIND");
        if (kind != null && !kind.isNull()) {
            row.setRowKind(RowKind.fromShortString(kind.asText()));
        }
        Iterator<String> names = obj.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!k.equals("_ROW_KIND") && rt.getFieldIndex(k) < 0) {
                throw new IllegalArgumentException("unknown column " + k);
            }
        }
        for (int i = 0; i < fields.size(); i++) {
            DataField fd = fields.get(i);
            try {
                row.setField(i, toValue(obj.get(fd.name()), fd.type()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("column " + fd.name() + ": " + e.getMessage(), e);
            }
        }
        return row;
    }

    static double specialFloat(JsonNode n) {
        if (n.isTextual()) {
            switch (n.asText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    throw new IllegalArgumentException("bad float " + n);
            }
        }
        return Double.NaN; // not reached for numbers
    }

    static Object toValue(JsonNode n, DataType t) {
        if (n == null || n.isNull()) {
            return null;
        }
        switch (t.getTypeRoot()) {
            case BOOLEAN:
                if (!n.isBoolean()) {
                    throw new IllegalArgumentException("want boolean, got " + n);
                }
                return n.booleanValue();
            case TINYINT:
                return (byte) integer(n, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case SMALLINT:
                return (short) integer(n, Short.MIN_VALUE, Short.MAX_VALUE);
            case INTEGER:
                return (int) integer(n, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case BIGINT:
                return integer(n, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT:
                if (n.isTextual()) {
                    return (float) specialFloat(n);
                }
                return (float) number(n);
            case DOUBLE:
                if (n.isTextual()) {
                    return specialFloat(n);
                }
                return number(n);
            case DECIMAL:
                {
                    int p = DataTypeChecks.getPrecision(t);
                    int s = DataTypeChecks.getScale(t);
                    BigDecimal bd = new BigDecimal(n.asText());
                    Decimal d = Decimal.fromBigDecimal(bd, p, s);
                    if (d == null) {
                        throw new IllegalArgumentException(n + " does not fit " + t);
                    }
                    return d;
                }
            case CHAR:
            case VARCHAR:
                return BinaryString.fromString(text(n));
            case BINARY:
            case VARBINARY:
                if (n.isObject()) {
                    return sketch(n);
                }
                return Base64.getDecoder().decode(text(n));
            case DATE:
                return (int) LocalDate.parse(text(n)).toEpochDay();
            case TIME_WITHOUT_TIME_ZONE:
                return (int) (LocalTime.parse(text(n)).toNanoOfDay() / 1_000_000L);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return Timestamp.fromLocalDateTime(LocalDateTime.parse(text(n).replace(' ', 'T')));
            case ARRAY:
                {
                    DataType et = ((ArrayType) t).getElementType();
                    if (!n.isArray()) {
                        throw new IllegalArgumentException("want array, got " + n);
                    }
                    Object[] out = new Object[n.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = toValue(n.get(i), et);
                    }
                    return new GenericArray(out);
                }
            case MAP:
                {
                    MapType mt = (MapType) t;
                    Map<Object, Object> m = new LinkedHashMap<>();
                    if (n.isArray()) {
                        for (JsonNode kv : n) {
                            if (!kv.isArray() || kv.size() != 2) {
                                throw new IllegalArgumentException("want [key, value], got " + kv);
                            }
                            m.put(toValue(kv.get(0), mt.getKeyType()), toValue(kv.get(1), mt.getValueType()));
                        }
                    } else if (n.isObject()) {
                        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
                        while (it.hasNext()) {
                            Map.Entry<String, JsonNode> e = it.next();
                            m.put(
                                    toValue(JSON.getNodeFactory().textNode(e.getKey()), mt.getKeyType()),
                                    toValue(e.getValue(), mt.getValueType()));
                        }
                    } else {
                        throw new IllegalArgumentException("want map pairs, got " + n);
                    }
                    return new GenericMap(m);
                }
            case ROW:
                if (!n.isObject()) {
                    throw new IllegalArgumentException("want object, got " + n);
                }
                return toRow(n, (RowType) t);
            default:
                throw new IllegalArgumentException("unsupported type " + t);
        }
    }

    /**
     * Builds the bytes of a bitmap or sketch with Paimon's own utilities,
     * for the aggregation functions rbm32, rbm64, hll_sketch and
     * theta_sketch: {"rbm32": [1, 2]}, {"rbm64": [1, 5000000000]},
     * {"hll": [1, 2]}, {"theta": [1, 2]} (one key; the integers added).
     */
    static byte[] sketch(JsonNode n) {
        if (n.size() != 1) {
            throw new IllegalArgumentException("want one of rbm32, rbm64, hll, theta, got " + n);
        }
        String kind = n.fieldNames().next();
        JsonNode vals = n.get(kind);
        if (!vals.isArray()) {
            throw new IllegalArgumentException("want an array of integers, got " + vals);
        }
        long[] longs = new long[vals.size()];
        int[] ints = new int[vals.size()];
        for (int i = 0; i < longs.length; i++) {
            longs[i] = integer(vals.get(i), Long.MIN_VALUE, Long.MAX_VALUE);
            ints[i] = (int) longs[i];
        }
        switch (kind) {
            case "rbm32":
                for (int i = 0; i < longs.length; i++) {
                    integer(vals.get(i), Integer.MIN_VALUE, Integer.MAX_VALUE);
                }
                return org.apache.paimon.utils.RoaringBitmap32.bitmapOf(ints).serialize();
            case "rbm64":
                try {
                    return org.apache.paimon.utils.RoaringBitmap64.bitmapOf(longs).serialize();
                } catch (IOException e) {
                    throw new IllegalArgumentException(e);
                }
            case "hll":
            case "theta":
                for (int i = 0; i < longs.length; i++) {
                    integer(vals.get(i), Integer.MIN_VALUE, Integer.MAX_VALUE);
                }
                return kind.equals("hll")
                        ? org.apache.paimon.utils.HllSketchUtil.sketchOf(ints)
                        : org.apache.paimon.utils.ThetaSketch.sketchOf(ints);
            default:
                throw new IllegalArgumentException("unknown binary builder " + kind);
        }
    }

    static double number(JsonNode n) {
        if (!n.isNumber()) {
            throw new IllegalArgumentException("want number, got " + n);
        }
        return n.doubleValue();
    }

    static String text(JsonNode n) {
        if (!n.isTextual()) {
            throw new IllegalArgumentException("want string, got " + n);
        }
        return n.textValue();
    }

    static long integer(JsonNode n, long min, long max) {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new IllegalArgumentException("want integer, got " + n);
        }
        long v = n.longValue();
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " out of range");
        }
        return v;
    }

    // ---- compact ----

    static void compact(Catalog catalog, String name, boolean full) throws Exception {
        FileStoreTable table = table(catalog, name);
        String user = UUID.randomUUID().toString();
        boolean unaware = table.primaryKeys().isEmpty() && table.coreOptions().bucket() == -1;
        List<CommitMessage> msgs = new ArrayList<>();
        if (unaware) {
            // Full compaction of an append table: let the coordinator pick
            // any group of two or more small files.
            FileStoreTable t = full ? table.copy(Collections.singletonMap("compaction.min.file-num", "2")) : table;
            List<AppendCompactTask> tasks = new AppendCompactCoordinator(t, false).run();
            if (tasks.isEmpty()) {
                return;
            }
            try (TableWriteImpl<?> w = table.newWrite(user)) {
                BaseAppendFileStoreWrite sw = (BaseAppendFileStoreWrite) w.getWrite();
                for (AppendCompactTask task : tasks) {
                    msgs.add(task.doCompact(t, sw));
                }
            }
        } else {
            List<Split> splits = table.newReadBuilder().newScan().plan().splits();
            if (splits.isEmpty()) {
                return;
            }
            try (TableWriteImpl<?> w = table.newWrite(user)) {
                w.withIOManager(ioManager());
                for (Split s : splits) {
                    DataSplit ds = (DataSplit) s;
                    w.compact(ds.partition(), ds.bucket(), full);
                }
                msgs.addAll(w.prepareCommit(true, Long.MAX_VALUE));
            }
        }
        try (TableCommitImpl c = table.newCommit(user)) {
            c.commit(Long.MAX_VALUE, msgs);
        }
    }

    // ---- tag, expire ----

    static void tag(Catalog catalog, String name, String tagName, String snapshot) throws Exception {
        FileStoreTable table = table(catalog, name);
        if (snapshot != null) {
            table.createTag(tagName, Long.parseLong(snapshot));
        } else {
            table.createTag(tagName);
        }
    }

    // ---- branch ----

    /**
     * Paimon's branch management (FileSystemBranchManager through the
     * table): --action create (empty, or --tag T), delete, fast-forward
     * --name B, or list (one name per line). Reading and writing a branch
     * is --table db.t$branch_B in the other commands (Paimon's Identifier).
     */
    static void branch(Catalog catalog, String name, String action, String branchName, String tag)
            throws Exception {
        FileStoreTable table = table(catalog, name);
        if (!action.equals("list") && branchName == null) {
            throw new IllegalArgumentException("missing --name");
        }
        switch (action) {
            case "create":
                if (tag != null) {
                    table.createBranch(branchName, tag);
                } else {
                    table.createBranch(branchName);
                }
                break;
            case "delete":
                table.deleteBranch(branchName);
                break;
            case "fast-forward":
                table.fastForward(branchName);
                break;
            case "list":
                for (String b : table.branchManager().branches()) {
                    System.out.println(b);
                }
                break;
            default:
                throw new IllegalArgumentException("unknown --action " + action);
        }
    }

    /** Deletes a tag, and the files only it kept alive (Paimon's deleteTag). */
    static void tagDelete(Catalog catalog, String name, String tagName) throws Exception {
        FileStoreTable table = table(catalog, name);
        if (!table.tagManager().tagExists(tagName)) {
            throw new IllegalArgumentException("tag " + tagName + " does not exist");
        }
        table.deleteTag(tagName);
    }

    /**
     * Paimon's rollback: to a snapshot (rollbackTo(id)) or a tag
     * (rollbackTo(name), which writes the tag's snapshot back when it has
     * expired). Later snapshots, tags and changelogs go, with the files only
     * they referenced.
     */
    static void rollback(Catalog catalog, String name, String snapshot, String tag) throws Exception {
        if ((snapshot == null) == (tag == null)) {
            throw new IllegalArgumentException("rollback needs one of --snapshot and --tag");
        }
        FileStoreTable table = table(catalog, name);
        if (snapshot != null) {
            table.rollbackTo(Long.parseLong(snapshot));
        } else {
            table.rollbackTo(tag);
        }
    }

    static void expire(
            Catalog catalog, String name, String retainMax, String retainMin, String olderThan)
            throws Exception {
        FileStoreTable table = table(catalog, name);
        int max = Integer.parseInt(retainMax);
        int min = retainMin != null ? Integer.parseInt(retainMin) : Math.min(max, 1);
        // Paimon's ExpireSnapshots: snapshots beyond the newest retain-max
        // always go; the newest retain-min always stay; those in between go
        // once older than the time retention. Without --older-than the time
        // retention is made practically infinite so the result never
        // depends on the clock: exactly the newest retain-max snapshots
        // remain. --older-than (epoch milliseconds) becomes the time
        // retention now - olderThan (Paimon computes the cut-off from its
        // own clock a few milliseconds later).
        Duration retain = Duration.ofDays(365L * 1000);
        if (olderThan != null) {
            retain = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - Long.parseLong(olderThan)));
        }
        ExpireConfig cfg =
                ExpireConfig.builder()
                        .snapshotRetainMax(max)
                        .snapshotRetainMin(min)
                        .snapshotTimeRetain(retain)
                        .build();
        int n = table.newExpireSnapshots().config(cfg).expire();
        System.err.println("expired " + n + " snapshot(s)");
    }

    // ---- dump ----

    static Table timeTravel(FileStoreTable table, String snapshot, String tag) {
        Map<String, String> o = new HashMap<>();
        if (snapshot != null) {
            o.put("scan.snapshot-id", snapshot);
        }
        if (tag != null) {
            o.put("scan.tag-name", tag);
        }
        return o.isEmpty() ? table : table.copy(o);
    }

    static List<String> readCanonical(Table t) throws Exception {
        RowType rt = t.rowType();
        ReadBuilder rb = t.newReadBuilder();
        List<Split> splits = rb.newScan().plan().splits();
        List<String> lines = new ArrayList<>();
        try (RecordReader<InternalRow> reader = rb.newRead().createReader(splits)) {
            reader.forEachRemaining(
                    row -> {
                        StringBuilder sb = new StringBuilder();
                        appendRow(sb, row, rt);
                        lines.add(sb.toString());
                    });
        }
        lines.sort(Tool::compareUtf8);
        return lines;
    }

    // ---- bench ----

    /**
     * Paimon's micro-benchmark shape: INT key plus 20 STRING columns of 10
     * random hex characters, random keys, one bucket. Writes the rows in one
     * batch commit, then reads the table fully, and prints rows per second of
     * each as one JSON object.
     */
    static void bench(Catalog catalog, int rows) throws Exception {
        Schema.Builder b = Schema.newBuilder().column("k", DataTypes.INT().notNull());
        for (int i = 0; i < 20; i++) {
            b.column("f" + i, DataTypes.STRING());
        }
        b.primaryKey("k").option("bucket", "1");
        try {
            catalog.createDatabase("bench", true);
        } catch (Exception e) {
            // exists
        }
        Identifier id = Identifier.create("bench", "micro_" + System.nanoTime());
        catalog.createTable(id, b.build(), false);
        FileStoreTable table = (FileStoreTable) catalog.getTable(id);
        java.util.Random rnd = new java.util.Random(42);
        char[] hex = "0123456789abcdef".toCharArray();
        // Generate first, as the Go benchmark does, so only writing is timed.
        GenericRow[] data = new GenericRow[rows];
        char[] buf = new char[10];
        for (int r = 0; r < rows; r++) {
            GenericRow row = new GenericRow(21);
            row.setField(0, rnd.nextInt(rows));
            for (int c = 1; c <= 20; c++) {
                for (int j = 0; j < 10; j++) {
                    buf[j] = hex[rnd.nextInt(16)];
                }
                row.setField(c, BinaryString.fromString(new String(buf)));
            }
            data[r] = row;
        }
        long c0 = processCpuNanos();
        long t0 = System.nanoTime();
        BatchWriteBuilder wb = table.newBatchWriteBuilder();
        try (BatchTableWrite w = wb.newWrite();
                BatchTableCommit c = wb.newCommit()) {
            w.withIOManager(ioManager());
            for (GenericRow row : data) {
                w.write(row);
            }
            c.commit(w.prepareCommit());
        }
        long t1 = System.nanoTime();
        long c1 = processCpuNanos();
        data = null;
        ReadBuilder rb = table.newReadBuilder();
        long n = 0;
        try (RecordReader<InternalRow> r = rb.newRead().createReader(rb.newScan().plan())) {
            RecordReader.RecordIterator<InternalRow> it;
            while ((it = r.readBatch()) != null) {
                while (it.next() != null) {
                    n++;
                }
                it.releaseBatch();
            }
        }
        long t2 = System.nanoTime();
        long c2 = processCpuNanos();
        System.out.printf(
                "{\"rows\":%d,\"distinct\":%d,\"write_rows_per_s\":%.0f,\"read_rows_per_s\":%.0f,"
                        + "\"write_cores\":%.2f,\"read_cores\":%.2f,\"peak_rss_mib\":%.0f}%n",
                rows, n, rows / ((t1 - t0) / 1e9), n / ((t2 - t1) / 1e9),
                (double) (c1 - c0) / (t1 - t0), (double) (c2 - c1) / (t2 - t1), peakRssMiB());
    }

    /** CPU time of the whole JVM (every thread: the work, JIT and GC). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The process's peak resident set (VmHWM), in MiB. */
    static double peakRssMiB() throws Exception {
        for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return 0;
    }

    /**
     * The compaction benchmark, in two JVMs so the second's peak RSS is the
     * compaction's own. Phase "write" creates bench.compact_SHAPE (one
     * bucket, write-only, so every commit stays one level-0 file) and writes
     * ROWS rows of the shape in COMMITS batch commits of ROWS/COMMITS rows,
     * keys random in [0, ROWS) and so overlapping across commits. Phase
     * "compact" runs one full compaction of the bucket (write-only off) and
     * commits it, timed, and prints one JSON object: input rows, files and
     * bytes, output rows, rows/s and MB/s (10^6 bytes of input per second),
     * and the JVM's peak RSS (VmHWM).
     */
    static void benchCompact(Catalog catalog, String phase, String shape, int rows, int commits)
            throws Exception {
        Identifier id = Identifier.create("bench", "compact_" + shape);
        if (phase.equals("write")) {
            Schema.Builder b = Schema.newBuilder();
            if (shape.equals("micro")) {
                b.column("k", DataTypes.INT().notNull());
                for (int i = 0; i < 20; i++) {
                    b.column("f" + i, DataTypes.STRING());
                }
                b.primaryKey("k");
            } else if (shape.equals("narrow")) {
                b.column("id", DataTypes.BIGINT().notNull())
                        .column("name", DataTypes.STRING())
                        .column("amount", DataTypes.DOUBLE())
                        .column("ts", DataTypes.TIMESTAMP(3))
                        .column("category", DataTypes.STRING())
                        .primaryKey("id");
            } else {
                throw new IllegalArgumentException("unknown shape " + shape);
            }
            b.option("bucket", "1").option("write-only", "true");
            catalog.createDatabase("bench", true);
            catalog.createTable(id, b.build(), false);
            FileStoreTable table = (FileStoreTable) catalog.getTable(id);
            java.util.Random rnd = new java.util.Random(42);
            String[] categories = {"books", "games", "garden", "music", "sports", "toys", "tools", "food"};
            long base = LocalDateTime.of(2026, 1, 1, 0, 0).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
            char[] hex = "0123456789abcdef".toCharArray();
            char[] buf10 = new char[10];
            char[] buf12 = new char[12];
            for (int c = 0; c < commits; c++) {
                int n = rows / commits + (c < rows % commits ? 1 : 0);
                BatchWriteBuilder wb = table.newBatchWriteBuilder();
                try (BatchTableWrite w = wb.newWrite();
                        BatchTableCommit cm = wb.newCommit()) {
                    w.withIOManager(ioManager());
                    for (int r = 0; r < n; r++) {
                        if (shape.equals("micro")) {
                            GenericRow row = new GenericRow(21);
                            row.setField(0, rnd.nextInt(rows));
                            for (int col = 1; col <= 20; col++) {
                                for (int j = 0; j < 10; j++) {
                                    buf10[j] = hex[rnd.nextInt(16)];
                                }
                                row.setField(col, BinaryString.fromString(new String(buf10)));
                            }
                            w.write(row);
                        } else {
                            for (int j = 0; j < 12; j++) {
                                buf12[j] = hex[rnd.nextInt(16)];
                            }
                            w.write(
                                    GenericRow.of(
                                            (long) rnd.nextInt(rows),
                                            BinaryString.fromString("user-" + new String(buf12)),
                                            rnd.nextInt(1_000_000) / 100.0,
                                            Timestamp.fromEpochMillis(base + rnd.nextLong(365L * 86400 * 1000)),
                                            BinaryString.fromString(categories[rnd.nextInt(categories.length)])));
                        }
                    }
                    cm.commit(w.prepareCommit());
                }
            }
            return;
        }
        if (!phase.equals("compact")) {
            throw new IllegalArgumentException("unknown phase " + phase);
        }
        FileStoreTable table =
                ((FileStoreTable) catalog.getTable(id)).copy(Collections.singletonMap("write-only", "false"));
        long rowsIn = 0, bytesIn = 0;
        int filesIn = 0;
        List<Split> splits = table.newReadBuilder().newScan().plan().splits();
        for (Split s : splits) {
            for (DataFileMeta f : ((DataSplit) s).dataFiles()) {
                rowsIn += f.rowCount();
                bytesIn += f.fileSize();
                filesIn++;
            }
        }
        String user = UUID.randomUUID().toString();
        long t0 = System.nanoTime();
        try (TableWriteImpl<?> w = table.newWrite(user);
                TableCommitImpl c = table.newCommit(user)) {
            w.withIOManager(ioManager());
            for (Split s : splits) {
                DataSplit ds = (DataSplit) s;
                w.compact(ds.partition(), ds.bucket(), true);
            }
            c.commit(Long.MAX_VALUE, w.prepareCommit(true, Long.MAX_VALUE));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long rowsOut = 0;
        int filesOut = 0;
        for (Split s : table.newReadBuilder().newScan().plan().splits()) {
            for (DataFileMeta f : ((DataSplit) s).dataFiles()) {
                rowsOut += f.rowCount();
                filesOut++;
            }
        }
        double rss = peakRssMiB();
        System.out.printf(
                "{\"shape\":\"%s\",\"rows_in\":%d,\"files_in\":%d,\"bytes_in\":%d,\"rows_out\":%d,\"files_out\":%d,"
                        + "\"seconds\":%.3f,\"rows_per_s\":%.0f,\"mb_per_s\":%.1f,\"peak_rss_mib\":%.0f}%n",
                shape, rowsIn, filesIn, bytesIn, rowsOut, filesOut, secs, rowsIn / secs, bytesIn / 1e6 / secs, rss);
    }

    // ---- bench-stream ----

    /**
     * Streaming latency, as floe's BenchmarkStreamLatency measures it: a
     * writer commits 10 rows every 100 ms (COMMITS commits) to a one-bucket
     * primary-key table (id INT, v STRING) while a stream scan from the
     * latest snapshot follows it, planning again every POLL_MS when there is
     * nothing new (Flink's reader waits continuous.discovery-interval, 10 s
     * by default; this is the library at its fastest). The latency of a
     * commit is from commit() returning to the stream having read its
     * rows (each row's v names its commit). Prints p50 and p99 in milliseconds as one JSON object.
     */
    static void benchStream(Catalog catalog, int commits, int pollMs) throws Exception {
        try {
            catalog.createDatabase("bench", true);
        } catch (Exception e) {
            // exists
        }
        Identifier id = Identifier.create("bench", "stream_" + System.nanoTime());
        catalog.createTable(
                id,
                Schema.newBuilder()
                        .column("id", DataTypes.INT().notNull())
                        .column("v", DataTypes.STRING())
                        .primaryKey("id")
                        .option("bucket", "1")
                        .build(),
                false);
        FileStoreTable table = (FileStoreTable) catalog.getTable(id);
        Map<Long, Long> committed = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Long, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, String> o = new HashMap<>();
        o.put("scan.mode", "latest");
        Table st = table.copy(o);
        ReadBuilder rb = st.newReadBuilder();
        StreamTableScan scan = rb.newStreamScan();
        TableRead read = rb.newRead();
        scan.plan(); // positions the scan at the latest snapshot (none yet)
        Thread reader =
                new Thread(
                        () -> {
                            try {
                                while (seen.size() < commits) {
                                    List<Split> splits = scan.plan().splits();
                                    if (splits.isEmpty()) {
                                        Thread.sleep(pollMs);
                                        continue;
                                    }
                                    for (Split split : splits) {
                                        try (RecordReader<InternalRow> r = read.createReader(split)) {
                                            r.forEachRemaining(
                                                    row -> {
                                                        long commit = Long.parseLong(row.getString(1).toString().substring(1));
                                                        seen.putIfAbsent(commit, System.nanoTime());
                                                    });
                                        }
                                    }
                                }
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
        reader.setDaemon(true);
        reader.start();
        org.apache.paimon.table.sink.StreamWriteBuilder wb = table.newStreamWriteBuilder();
        try (org.apache.paimon.table.sink.StreamTableWrite w = wb.newWrite();
                org.apache.paimon.table.sink.StreamTableCommit c = wb.newCommit()) {
            w.withIOManager(ioManager());
            long next = System.nanoTime();
            for (int i = 0; i < commits; i++) {
                next += 100_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                for (int k = 0; k < 10; k++) {
                    w.write(GenericRow.of(i * 10 + k, BinaryString.fromString("c" + i)));
                }
                c.commit(i, w.prepareCommit(false, i));
                committed.put((long) i, System.nanoTime());
            }
        }
        reader.join(30_000);
        if (seen.size() < commits) {
            throw new IllegalStateException("the stream saw " + seen.size() + " of " + commits + " commits");
        }
        List<Long> lat = new ArrayList<>();
        for (Map.Entry<Long, Long> e : committed.entrySet()) {
            lat.add(Math.max(0, seen.get(e.getKey()) - e.getValue()));
        }
        Collections.sort(lat);
        System.out.printf(
                "{\"commits\":%d,\"poll_ms\":%d,\"p50_ms\":%.1f,\"p99_ms\":%.1f}%n",
                commits,
                pollMs,
                lat.get(lat.size() / 2) / 1e6,
                lat.get(Math.min(lat.size() - 1, lat.size() * 99 / 100)) / 1e6);
    }

    // ---- bench-plan ----

    /**
     * Scan planning of an existing table: RUNS plans of its latest snapshot
     * in one JVM (the first cold, the rest warm), each timed; prints the
     * number of splits and data files and the cold and best warm time in
     * milliseconds as one JSON object.
     */
    static void benchPlan(Catalog catalog, String name, int runs) throws Exception {
        FileStoreTable table = table(catalog, name);
        double cold = 0, warm = Double.MAX_VALUE;
        long splits = 0, files = 0;
        for (int i = 0; i < Math.max(runs, 2); i++) {
            long t0 = System.nanoTime();
            List<Split> ss = table.newReadBuilder().newScan().plan().splits();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (i == 0) {
                cold = ms;
            } else {
                warm = Math.min(warm, ms);
            }
            splits = ss.size();
            files = 0;
            for (Split s : ss) {
                files += ((DataSplit) s).dataFiles().size();
            }
        }
        System.out.printf(
                "{\"splits\":%d,\"files\":%d,\"cold_ms\":%.1f,\"warm_ms\":%.1f}%n", splits, files, cold, warm);
    }

    // ---- bench-merge ----

    // The merge benchmark's data: the same rows as floe's BenchmarkMerge
    // (table/merge_bench_test.go; keep them in step). ROWS rows in
    // MERGE_COMMITS commits of n = ROWS/MERGE_COMMITS rows; key range
    // K = 2n (plus one when a multiple of MERGE_STRIDE); row r of commit c
    // has key (r*MERGE_STRIDE + c*MERGE_SHIFT) mod K. Every value comes from
    // h = splitmix64(c<<48 ^ key<<8 ^ col), col the column's position (id =
    // 0): null when (h>>>20)&15 == 0, else BIGINT h>>>44, DOUBLE
    // (h>>>44)/100, INT h>>>40, STRING 10 hex digits, digit j = (h>>>4j)&15.
    static final int MERGE_COMMITS = 10;
    static final long MERGE_STRIDE = 1_000_003L;
    static final long MERGE_SHIFT = 7919L;
    static final char[] HEX = "0123456789abcdef".toCharArray();

    static long splitmix64(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long mergeHash(int c, long key, int col) {
        return splitmix64(((long) c << 48) ^ (key << 8) ^ col);
    }

    /** Column col's value for (c, key), of type 'L' BIGINT, 'D' DOUBLE, 'I' INT, 'S' STRING. */
    static Object mergeValue(char type, int c, long key, int col) {
        long h = mergeHash(c, key, col);
        if (((h >>> 20) & 15) == 0) {
            return null;
        }
        switch (type) {
            case 'L':
                return h >>> 44;
            case 'D':
                return (h >>> 44) / 100.0;
            case 'I':
                return (int) (h >>> 40);
            default:
                char[] s = new char[10];
                for (int j = 0; j < 10; j++) {
                    s[j] = HEX[(int) ((h >>> (4 * j)) & 15)];
                }
                return BinaryString.fromString(new String(s));
        }
    }

    /** Partial-update: c1..c20 are BIGINT, DOUBLE, STRING by turns ('L' when i%3 == 1). */
    static char puType(int i) {
        return "SLD".charAt(i % 3);
    }

    /** Aggregation: v1..v3 BIGINT sum, v4, v5 DOUBLE sum, v6, v7 INT max, v8..v10 STRING last_non_null_value. */
    static char aggType(int i) {
        return i >= 8 ? 'S' : i >= 6 ? 'I' : i >= 4 ? 'D' : 'L';
    }

    static long firstByte(InternalRow row, int i) {
        return row.isNullAt(i) ? 0 : row.getString(i).byteAt(0);
    }

    static long longOr0(InternalRow row, int i) {
        return row.isNullAt(i) ? 0 : row.getLong(i);
    }

    /** The checksum of floe's BenchmarkMerge over one merged row. */
    static long mergeChecksum(boolean pu, InternalRow row) {
        if (pu) {
            return longOr0(row, 1) + longOr0(row, 10) + longOr0(row, 19) + firstByte(row, 3) + firstByte(row, 12);
        }
        return longOr0(row, 1) + (row.isNullAt(6) ? 0 : row.getInt(6)) + firstByte(row, 8);
    }

    /** Reads the whole table: {rows, checksum}. */
    static long[] mergeScan(FileStoreTable table, boolean pu) throws Exception {
        ReadBuilder rb = table.newReadBuilder();
        long n = 0, sum = 0;
        try (RecordReader<InternalRow> r = rb.newRead().createReader(rb.newScan().plan())) {
            RecordReader.RecordIterator<InternalRow> it;
            while ((it = r.readBatch()) != null) {
                InternalRow row;
                while ((row = it.next()) != null) {
                    n++;
                    sum += mergeChecksum(pu, row);
                }
                it.releaseBatch();
            }
        }
        return new long[] {n, sum};
    }

    /**
     * The merge-engine benchmark, the Java side of floe's BenchmarkMerge.
     * Phase "write" creates bench.merge_ENGINE (ENGINE partial-update or
     * aggregation; one bucket, write-only, so every commit stays one
     * level-0 file) and writes ROWS rows in 10 batch commits. Phase "run"
     * reads the whole table twice (merge-on-read; the first read in a cold
     * JVM, the second warm), then runs one full compaction of the bucket
     * (write-only off) and commits it, each timed, reads the table again to
     * check the compaction kept the rows and checksum, and prints one JSON
     * object: input rows and files, rows out, the checksum, and seconds
     * and input rows per second of each step.
     */
    static void benchMerge(Catalog catalog, String phase, String engine, int rows) throws Exception {
        boolean pu;
        if (engine.equals("partial-update")) {
            pu = true;
        } else if (engine.equals("aggregation")) {
            pu = false;
        } else {
            throw new IllegalArgumentException("unknown engine " + engine);
        }
        Identifier id = Identifier.create("bench", "merge_" + (pu ? "partial_update" : "aggregation"));
        if (phase.equals("write")) {
            Schema.Builder b = Schema.newBuilder().column("id", DataTypes.BIGINT().notNull());
            int ncols = pu ? 20 : 10;
            char[] types = new char[ncols + 1];
            for (int i = 1; i <= ncols; i++) {
                types[i] = pu ? puType(i) : aggType(i);
                DataType t =
                        types[i] == 'L' ? DataTypes.BIGINT()
                                : types[i] == 'D' ? DataTypes.DOUBLE()
                                : types[i] == 'I' ? DataTypes.INT()
                                : DataTypes.STRING();
                b.column((pu ? "c" : "v") + i, t);
            }
            if (pu) {
                b.column("g1", DataTypes.BIGINT()).column("g2", DataTypes.BIGINT());
                StringBuilder g1 = new StringBuilder(), g2 = new StringBuilder();
                for (int i = 1; i <= 9; i++) {
                    g1.append(i > 1 ? "," : "").append("c").append(i);
                    g2.append(i > 1 ? "," : "").append("c").append(i + 9);
                }
                b.option("merge-engine", "partial-update")
                        .option("fields.g1.sequence-group", g1.toString())
                        .option("fields.g2.sequence-group", g2.toString());
            } else {
                b.option("merge-engine", "aggregation");
                for (int i = 1; i <= 10; i++) {
                    b.option(
                            "fields.v" + i + ".aggregate-function",
                            i >= 8 ? "last_non_null_value" : i >= 6 ? "max" : "sum");
                }
            }
            b.primaryKey("id").option("bucket", "1").option("write-only", "true");
            catalog.createDatabase("bench", true);
            catalog.createTable(id, b.build(), false);
            FileStoreTable table = (FileStoreTable) catalog.getTable(id);
            int n = rows / MERGE_COMMITS;
            long keys = 2L * n;
            if (keys % MERGE_STRIDE == 0) {
                keys++;
            }
            for (int c = 0; c < MERGE_COMMITS; c++) {
                BatchWriteBuilder wb = table.newBatchWriteBuilder();
                try (BatchTableWrite w = wb.newWrite();
                        BatchTableCommit cm = wb.newCommit()) {
                    w.withIOManager(ioManager());
                    int g = c % 2, lo = 1 + 9 * g, hi = 9 + 9 * g;
                    for (int r = 0; r < n; r++) {
                        long key = (r * MERGE_STRIDE + c * MERGE_SHIFT) % keys;
                        GenericRow row = new GenericRow(pu ? 23 : 11);
                        row.setField(0, key);
                        for (int col = 1; col <= ncols; col++) {
                            if (pu && col <= 18 && (col < lo || col > hi)) {
                                continue;
                            }
                            row.setField(col, mergeValue(types[col], c, key, col));
                        }
                        if (pu) {
                            int sc = 21 + g;
                            row.setField(sc, (mergeHash(c, key, sc) >>> 40) * 64 + c);
                        }
                        w.write(row);
                    }
                    cm.commit(w.prepareCommit());
                }
            }
            return;
        }
        if (!phase.equals("run")) {
            throw new IllegalArgumentException("unknown phase " + phase);
        }
        FileStoreTable table =
                ((FileStoreTable) catalog.getTable(id)).copy(Collections.singletonMap("write-only", "false"));
        long rowsIn = 0;
        int filesIn = 0;
        List<Split> splits = table.newReadBuilder().newScan().plan().splits();
        for (Split s : splits) {
            for (DataFileMeta f : ((DataSplit) s).dataFiles()) {
                if (f.level() != 0) {
                    throw new IllegalStateException("file " + f.fileName() + " at level " + f.level());
                }
                rowsIn += f.rowCount();
                filesIn++;
            }
        }
        long t0 = System.nanoTime();
        long[] cold = mergeScan(table, pu);
        long t1 = System.nanoTime();
        long[] warm = mergeScan(table, pu);
        long t2 = System.nanoTime();
        if (cold[0] != warm[0] || cold[1] != warm[1]) {
            throw new IllegalStateException("two reads differ");
        }
        String user = UUID.randomUUID().toString();
        try (TableWriteImpl<?> w = table.newWrite(user);
                TableCommitImpl c = table.newCommit(user)) {
            w.withIOManager(ioManager());
            for (Split s : splits) {
                DataSplit ds = (DataSplit) s;
                w.compact(ds.partition(), ds.bucket(), true);
            }
            c.commit(Long.MAX_VALUE, w.prepareCommit(true, Long.MAX_VALUE));
        }
        long t3 = System.nanoTime();
        long compactedRows = 0;
        int filesOut = 0;
        for (Split s : table.newReadBuilder().newScan().plan().splits()) {
            for (DataFileMeta f : ((DataSplit) s).dataFiles()) {
                compactedRows += f.rowCount();
                filesOut++;
            }
        }
        long[] after = mergeScan(table, pu);
        if (after[0] != cold[0] || after[1] != cold[1] || compactedRows != cold[0]) {
            throw new IllegalStateException(
                    String.format(
                            "after compaction %d rows (%d in files), checksum %d; before %d rows, checksum %d",
                            after[0], compactedRows, after[1], cold[0], cold[1]));
        }
        double read = (t1 - t0) / 1e9, readWarm = (t2 - t1) / 1e9, compact = (t3 - t2) / 1e9;
        System.out.printf(
                "{\"engine\":\"%s\",\"rows_in\":%d,\"files_in\":%d,\"rows_out\":%d,\"files_out\":%d,\"checksum\":%d,"
                        + "\"read_seconds\":%.3f,\"read_rows_per_s\":%.0f,\"warm_read_seconds\":%.3f,"
                        + "\"warm_read_rows_per_s\":%.0f,\"compact_seconds\":%.3f,\"compact_rows_per_s\":%.0f}%n",
                engine, rowsIn, filesIn, cold[0], filesOut, cold[1], read, rowsIn / read, readWarm,
                rowsIn / readWarm, compact, rowsIn / compact);
    }

    static void dump(Catalog catalog, String name, String snapshot, String tag) throws Exception {
        FileStoreTable table = table(catalog, name);
        if (snapshot != null && tag != null) {
            throw new IllegalArgumentException("--snapshot and --tag are exclusive");
        }
        List<String> lines = readCanonical(timeTravel(table, snapshot, tag));
        OutputStream os = new BufferedOutputStream(System.out, 1 << 16);
        for (String l : lines) {
            os.write(l.getBytes(StandardCharsets.UTF_8));
            os.write('\n');
        }
        os.flush();
    }

    /**
     * Paimon's streaming read of the table (scan.mode=from-snapshot), up to
     * the latest snapshot present at start: one line per row, in the order
     * read, {"_SNAPSHOT":id,"_ROW_KIND":"+I",...columns}.
     */
    static void stream(Catalog catalog, String name, String from) throws Exception {
        FileStoreTable table = table(catalog, name);
        Long latest = table.snapshotManager().latestSnapshotId();
        OutputStream os = new BufferedOutputStream(System.out, 1 << 16);
        if (latest != null) {
            Map<String, String> o = new HashMap<>();
            o.put("scan.mode", "from-snapshot");
            o.put("scan.snapshot-id", from);
            Table t = table.copy(o);
            RowType rt = t.rowType();
            ReadBuilder rb = t.newReadBuilder();
            StreamTableScan scan = rb.newStreamScan();
            TableRead read = rb.newRead();
            while (true) {
                Long next = scan.checkpoint();
                if (next != null && next > latest) {
                    break;
                }
                for (Split split : scan.plan().splits()) {
                    long snap = ((DataSplit) split).snapshotId();
                    try (RecordReader<InternalRow> r = read.createReader(split)) {
                        RecordReader.RecordIterator<InternalRow> it;
                        while ((it = r.readBatch()) != null) {
                            InternalRow row;
                            while ((row = it.next()) != null) {
                                StringBuilder sb = new StringBuilder();
                                sb.append("{\"_SNAPSHOT\":").append(snap).append(",\"_ROW_KIND\":\"")
                                        .append(row.getRowKind().shortString()).append("\",");
                                StringBuilder cols = new StringBuilder();
                                appendRow(cols, row, rt);
                                sb.append(cols, 1, cols.length());
                                os.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                                os.write('\n');
                            }
                            it.releaseBatch();
                        }
                    }
                }
            }
        }
        os.flush();
    }

    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static void appendRow(StringBuilder sb, DataGetters row, RowType rt) {
        List<DataField> fields = rt.getFields();
        sb.append('{');
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendString(sb, fields.get(i).name());
            sb.append(':');
            appendValue(sb, row, i, fields.get(i).type());
        }
        sb.append('}');
    }

    static void appendValue(StringBuilder sb, DataGetters g, int i, DataType t) {
        if (g.isNullAt(i)) {
            sb.append("null");
            return;
        }
        switch (t.getTypeRoot()) {
            case BOOLEAN:
                sb.append(g.getBoolean(i));
                break;
            case TINYINT:
                sb.append(g.getByte(i));
                break;
            case SMALLINT:
                sb.append(g.getShort(i));
                break;
            case INTEGER:
                sb.append(g.getInt(i));
                break;
            case BIGINT:
                sb.append(g.getLong(i));
                break;
            case FLOAT:
                appendFloat(sb, g.getFloat(i), true);
                break;
            case DOUBLE:
                appendFloat(sb, g.getDouble(i), false);
                break;
            case DECIMAL:
                {
                    int p = DataTypeChecks.getPrecision(t);
                    int s = DataTypeChecks.getScale(t);
                    BigDecimal bd = g.getDecimal(i, p, s).toBigDecimal().setScale(s, RoundingMode.UNNECESSARY);
                    sb.append('"').append(bd.toPlainString()).append('"');
                    break;
                }
            case CHAR:
            case VARCHAR:
                appendString(sb, g.getString(i).toString());
                break;
            case BINARY:
            case VARBINARY:
                sb.append('"').append(Base64.getEncoder().encodeToString(g.getBinary(i))).append('"');
                break;
            case DATE:
                {
                    LocalDate d = LocalDate.ofEpochDay(g.getInt(i));
                    sb.append('"');
                    appendDate(sb, d);
                    sb.append('"');
                    break;
                }
            case TIME_WITHOUT_TIME_ZONE:
                {
                    long ms = g.getInt(i);
                    long sec = ms / 1000;
                    sb.append('"');
                    pad(sb, sec / 3600, 2).append(':');
                    pad(sb, sec / 60 % 60, 2).append(':');
                    pad(sb, sec % 60, 2);
                    fraction(sb, (ms % 1000) * 1_000_000L);
                    sb.append('"');
                    break;
                }
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                {
                    LocalDateTime ts = g.getTimestamp(i, DataTypeChecks.getPrecision(t)).toLocalDateTime();
                    sb.append('"');
                    appendDate(sb, ts.toLocalDate());
                    sb.append(' ');
                    pad(sb, ts.getHour(), 2).append(':');
                    pad(sb, ts.getMinute(), 2).append(':');
                    pad(sb, ts.getSecond(), 2);
                    fraction(sb, ts.getNano());
                    sb.append('"');
                    break;
                }
            case ARRAY:
                {
                    DataType et = ((ArrayType) t).getElementType();
                    InternalArray a = g.getArray(i);
                    sb.append('[');
                    for (int j = 0; j < a.size(); j++) {
                        if (j > 0) {
                            sb.append(',');
                        }
                        appendValue(sb, a, j, et);
                    }
                    sb.append(']');
                    break;
                }
            case MAP:
                {
                    MapType mt = (MapType) t;
                    InternalMap m = g.getMap(i);
                    InternalArray ks = m.keyArray();
                    InternalArray vs = m.valueArray();
                    List<String[]> pairs = new ArrayList<>();
                    for (int j = 0; j < m.size(); j++) {
                        StringBuilder k = new StringBuilder();
                        appendValue(k, ks, j, mt.getKeyType());
                        StringBuilder v = new StringBuilder();
                        appendValue(v, vs, j, mt.getValueType());
                        pairs.add(new String[] {k.toString(), v.toString()});
                    }
                    pairs.sort((x, y) -> compareUtf8(x[0], y[0]));
                    sb.append('[');
                    for (int j = 0; j < pairs.size(); j++) {
                        if (j > 0) {
                            sb.append(',');
                        }
                        sb.append('[').append(pairs.get(j)[0]).append(',').append(pairs.get(j)[1]).append(']');
                    }
                    sb.append(']');
                    break;
                }
            case ROW:
                {
                    RowType r = (RowType) t;
                    appendRow(sb, g.getRow(i, r.getFieldCount()), r);
                    break;
                }
            default:
                throw new IllegalArgumentException("unsupported type " + t);
        }
    }

    static StringBuilder pad(StringBuilder sb, long v, int width) {
        String s = Long.toString(v);
        for (int k = s.length(); k < width; k++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    static void appendDate(StringBuilder sb, LocalDate d) {
        int y = d.getYear();
        if (y < 0) {
            sb.append('-');
            y = -y;
        }
        pad(sb, y, 4).append('-');
        pad(sb, d.getMonthValue(), 2).append('-');
        pad(sb, d.getDayOfMonth(), 2);
    }

    /** Appends ".fff…" for ns nanoseconds, trailing zeros trimmed; nothing when zero. */
    static void fraction(StringBuilder sb, long ns) {
        if (ns == 0) {
            return;
        }
        String s = Long.toString(ns);
        StringBuilder f = new StringBuilder();
        for (int k = s.length(); k < 9; k++) {
            f.append('0');
        }
        f.append(s);
        int end = f.length();
        while (end > 0 && f.charAt(end - 1) == '0') {
            end--;
        }
        sb.append('.').append(f, 0, end);
    }

    /**
     * Appends s as a JSON string: '"' and '\' escaped, \b \f \n \r \t short,
     * other controls below U+0020 as backslash-u00xx (lower-case hex), all else raw
     * (Python's json.dumps with ensure_ascii=False, as the other tools do).
     */
    static void appendString(StringBuilder sb, String s) {
        final String hex = "0123456789abcdef";
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append("\\u00").append(hex.charAt(c >> 4)).append(hex.charAt(c & 15));
                    } else if (Character.isSurrogate(c)) {
                        // Lone surrogates cannot be UTF-8: U+FFFD, as Go does.
                        if (Character.isHighSurrogate(c)
                                && i + 1 < s.length()
                                && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(++i));
                        } else {
                            sb.append('\uFFFD');
                        }
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /**
     * Appends x as Go's strconv.FormatFloat(x, 'g', -1, 32 or 64) does: the
     * shortest decimal that parses back to the same float32/float64, in
     * %e form (d.ddde±XX, at least two exponent digits: 1e+06, 1.5e-05) when
     * the decimal exponent is < -4 or >= 6, plain decimal otherwise (0.0001,
     * 123456, 1.5); -0 as "-0"; NaN and infinities as JSON strings.
     */
    static void appendFloat(StringBuilder sb, double x, boolean single) {
        sb.append(formatFloat(x, single));
    }

    static String formatFloat(double x, boolean single) {
        if (Double.isNaN(x)) {
            return "\"NaN\"";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        }
        if (x == 0) {
            return (Double.doubleToRawLongBits(x) < 0) ? "-0" : "0";
        }
        BigDecimal exact = new BigDecimal(x);
        BigDecimal bd = exact;
        int maxDigits = single ? 9 : 17;
        for (int p = 1; p <= maxDigits; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            String s = r.toString();
            boolean ok = single ? Float.parseFloat(s) == (float) x : Double.parseDouble(s) == x;
            if (ok) {
                bd = r;
                break;
            }
        }
        bd = bd.stripTrailingZeros();
        boolean neg = bd.signum() < 0;
        String digs = bd.unscaledValue().abs().toString();
        int nd = digs.length();
        int dp = nd - bd.scale(); // value = 0.digs × 10^dp
        int exp = dp - 1;
        StringBuilder out = new StringBuilder();
        if (neg) {
            out.append('-');
        }
        // Go's shortest 'g': %e when exp < -4 || exp >= 6, else %f.
        if (exp < -4 || exp >= 6) {
            out.append(digs.charAt(0));
            if (nd > 1) {
                out.append('.').append(digs, 1, nd);
            }
            out.append('e').append(exp < 0 ? '-' : '+');
            int ae = Math.abs(exp);
            if (ae < 10) {
                out.append('0');
            }
            out.append(ae);
            return out.toString();
        }
        // %f with max(nd - dp, 0) fraction digits.
        if (dp > 0) {
            for (int k = 0; k < dp; k++) {
                out.append(k < nd ? digs.charAt(k) : '0');
            }
        } else {
            out.append('0');
        }
        int prec = Math.max(nd - dp, 0);
        if (prec > 0) {
            out.append('.');
            for (int k = 0; k < prec; k++) {
                int j = dp + k;
                out.append(j < 0 || j >= nd ? '0' : digs.charAt(j));
            }
        }
        return out.toString();
    }

    // ---- check ----

    static void check(Catalog catalog, String name) throws Exception {
        FileStoreTable table = table(catalog, name);
        List<String> problems = new ArrayList<>();
        // Every live snapshot must be readable in full.
        List<Long> ids = new ArrayList<>();
        Iterator<Snapshot> it = table.snapshotManager().snapshots();
        while (it.hasNext()) {
            ids.add(it.next().id());
        }
        for (long id : ids) {
            try {
                readCanonical(timeTravel(table, Long.toString(id), null));
            } catch (Exception e) {
                problems.add("snapshot " + id + " unreadable: " + e);
            }
        }
        for (String tag : table.tagManager().allTagNames()) {
            try {
                readCanonical(timeTravel(table, null, tag));
            } catch (Exception e) {
                problems.add("tag " + tag + " unreadable: " + e);
            }
        }
        Snapshot latest = table.snapshotManager().latestSnapshot();
        if (latest != null) {
            long total = 0;
            List<Split> splits = table.newSnapshotReader().withSnapshot(latest).read().splits();
            boolean pk = !table.primaryKeys().isEmpty();
            for (Split s : splits) {
                DataSplit ds = (DataSplit) s;
                Map<Integer, List<DataFileMeta>> levels = new HashMap<>();
                for (DataFileMeta f : ds.dataFiles()) {
                    total += f.rowCount();
                    if (table.fileIO() != null
                            && !table.fileIO().exists(dataFilePath(table, ds, f))) {
                        problems.add("missing data file " + f.fileName());
                    }
                    levels.computeIfAbsent(f.level(), k -> new ArrayList<>()).add(f);
                }
                if (pk) {
                    RowType kt = table.schema().logicalTrimmedPrimaryKeysType();
                    for (Map.Entry<Integer, List<DataFileMeta>> e : levels.entrySet()) {
                        if (e.getKey() == 0) {
                            continue;
                        }
                        List<DataFileMeta> fs = new ArrayList<>(e.getValue());
                        fs.sort((a, b) -> compareKeys(a.minKey(), b.minKey(), kt));
                        for (int k = 1; k < fs.size(); k++) {
                            if (compareKeys(fs.get(k - 1).maxKey(), fs.get(k).minKey(), kt) >= 0) {
                                problems.add(
                                        "partition/bucket "
                                                + ds.bucket()
                                                + " level "
                                                + e.getKey()
                                                + ": files "
                                                + fs.get(k - 1).fileName()
                                                + " and "
                                                + fs.get(k).fileName()
                                                + " overlap");
                            }
                        }
                    }
                }
            }
            if (total != latest.totalRecordCount()) {
                problems.add(
                        "snapshot "
                                + latest.id()
                                + " totalRecordCount "
                                + latest.totalRecordCount()
                                + " but its files hold "
                                + total
                                + " records");
            }
        }
        if (!problems.isEmpty()) {
            for (String p : problems) {
                System.err.println(p);
            }
            throw new IllegalStateException(problems.size() + " consistency problem(s)");
        }
        System.out.println("ok: " + ids.size() + " snapshot(s) checked");
    }

    static Path dataFilePath(FileStoreTable table, DataSplit ds, DataFileMeta f) {
        if (f.externalPath().isPresent()) {
            return new Path(f.externalPath().get());
        }
        return new Path(
                table.store().pathFactory().bucketPath(ds.partition(), ds.bucket()), f.fileName());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareKeys(BinaryRow a, BinaryRow b, RowType kt) {
        for (int i = 0; i < kt.getFieldCount(); i++) {
            InternalRow.FieldGetter g = InternalRow.createFieldGetter(kt.getTypeAt(i), i);
            Object x = g.getFieldOrNull(a);
            Object y = g.getFieldOrNull(b);
            int c;
            if (x == null || y == null) {
                c = x == null ? (y == null ? 0 : -1) : 1;
            } else if (x instanceof byte[]) {
                c = Arrays.compareUnsigned((byte[]) x, (byte[]) y);
            } else if (x instanceof Comparable) {
                c = ((Comparable) x).compareTo(y);
            } else {
                c = 0;
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
