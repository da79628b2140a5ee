// Automatic tags and partition times computed by Java Paimon itself, for
// floe's tests (table/testdata/autotag-java-cases): `autotag --file F`
// reads the cases of F and prints them in floe's datadriven format with
// Java's results. Cases (a command line, input lines, a blank line):
//
//   period K=V ...               TagPeriodHandler.create of these options;
//     time T                     normalizeToPreviousTag(T) as a tag name and
//                                nextTagTime of it
//     name N                     tagToTime(N) (isAutoTag), or "not auto"
//   auto K=V ...                 a table with these options; tags made by
//     snapshot T [watermark=W|watermark=none]
//                                a new snapshot at time T (UTC), then
//                                TagAutoCreation.run (or, for
//                                tag.automatic-creation=batch,
//                                TagBatchCreation.createTag); prints the tags
//     restart                    a new TagAutoCreation (state from the tags)
//     tag N                      a manual tag of the latest snapshot
//   partition-time               PartitionTimeExtractor
//     pattern P | formatter F    its options (before the values)
//     values K=V,K=V             the extracted time, or the exception

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.paimon.CoreOptions;
import org.apache.paimon.Snapshot;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.options.Options;
import org.apache.paimon.partition.PartitionTimeExtractor;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.tag.TagAutoCreation;
import org.apache.paimon.tag.TagBatchCreation;
import org.apache.paimon.tag.TagPeriodHandler;
import org.apache.paimon.types.DataTypes;

final class TagCheck {

    private TagCheck() {}

    static void run(Map<String, String> f) throws Exception {
        List<String> lines = Files.readAllLines(Paths.get(Tool.need(f, "file")), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = 0;
        while (i < lines.size()) {
            String l = lines.get(i);
            if (l.isEmpty() || l.startsWith("#")) {
                out.append(l).append('\n');
                i++;
                continue;
            }
            List<String> input = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).isEmpty()) {
                input.add(lines.get(i++));
            }
            List<String> result;
            if (l.startsWith("period")) {
                result = period(options(l), input.subList(1, input.size()));
            } else if (l.startsWith("auto")) {
                result = auto(options(l), input.subList(1, input.size()), n++);
            } else if (l.startsWith("partition-time")) {
                result = partitionTime(input.subList(1, input.size()));
            } else {
                throw new IllegalArgumentException("unknown case " + l);
            }
            for (String s : input) {
                out.append(s).append('\n');
            }
            out.append("----\n");
            for (String s : result) {
                out.append(s).append('\n');
            }
            // the case's blank line follows (or the file ends)
        }
        System.out.print(out);
    }

    static Map<String, String> options(String head) {
        Map<String, String> m = new HashMap<>();
        String[] parts = head.split(" ");
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            m.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return m;
    }

    static List<String> period(Map<String, String> opts, List<String> input) {
        TagPeriodHandler h = TagPeriodHandler.create(new CoreOptions(Options.fromMap(opts)));
        List<String> res = new ArrayList<>();
        for (String l : input) {
            if (l.startsWith("time ")) {
                LocalDateTime t = LocalDateTime.parse(l.substring(5));
                LocalDateTime tag = h.normalizeToPreviousTag(t);
                String name;
                try {
                    name = h.timeToTag(tag);
                } catch (RuntimeException e) {
                    name = "error " + e.getClass().getSimpleName();
                }
                res.add(l + " -> " + name + " next " + h.nextTagTime(tag));
            } else if (l.startsWith("name ")) {
                String name = l.substring(5);
                if (h.isAutoTag(name)) {
                    res.add(l + " -> " + h.tagToTime(name));
                } else {
                    res.add(l + " -> not auto");
                }
            } else {
                throw new IllegalArgumentException("unknown line " + l);
            }
        }
        return res;
    }

    static List<String> auto(Map<String, String> opts, List<String> input, int n) throws Exception {
        Path dir = Files.createTempDirectory("floe-autotag");
        Options co = new Options();
        co.set("warehouse", dir.toUri().toString());
        co.set("cache-enabled", "false");
        List<String> res = new ArrayList<>();
        try (Catalog catalog = CatalogFactory.createCatalog(CatalogContext.create(co))) {
            catalog.createDatabase("db", true);
            Identifier id = Identifier.create("db", "t" + n);
            Map<String, String> all = new HashMap<>(opts);
            all.put("sink.process-time-zone", "UTC");
            catalog.createTable(id, Schema.newBuilder().column("k", DataTypes.INT()).options(all).build(), false);
            FileStoreTable table = (FileStoreTable) catalog.getTable(id);
            boolean batch = "batch".equals(opts.get("tag.automatic-creation"));
            TagAutoCreation auto = batch ? null : newAuto(table);
            long next = 1;
            for (String l : input) {
                if (l.equals("restart")) {
                    auto = newAuto(table);
                    res.add(l);
                    continue;
                }
                if (l.startsWith("tag ")) {
                    Snapshot latest = table.snapshotManager().latestSnapshot();
                    table.tagManager().createTag(latest, l.substring(4), null, new ArrayList<>(), false);
                    Thread.sleep(20); // distinct modification times
                    res.add(l + ": " + tags(table));
                    continue;
                }
                if (!l.startsWith("snapshot ")) {
                    throw new IllegalArgumentException("unknown line " + l);
                }
                String[] p = l.split(" ");
                long millis = LocalDateTime.parse(p[1]).toInstant(ZoneOffset.UTC).toEpochMilli();
                String watermark = "";
                if (p.length > 2) {
                    String w = p[2].substring("watermark=".length());
                    if (!w.equals("none")) {
                        watermark = ",\"watermark\":"
                                + LocalDateTime.parse(w).toInstant(ZoneOffset.UTC).toEpochMilli();
                    }
                }
                long sid = next++;
                String json = "{\"version\":3,\"id\":" + sid + ",\"schemaId\":0,"
                        + "\"baseManifestList\":\"manifest-list-base-" + sid + "\","
                        + "\"deltaManifestList\":\"manifest-list-delta-" + sid + "\","
                        + "\"commitUser\":\"u\",\"commitIdentifier\":" + sid + ","
                        + "\"commitKind\":\"APPEND\",\"timeMillis\":" + millis
                        + ",\"totalRecordCount\":0,\"deltaRecordCount\":0" + watermark + "}";
                table.fileIO().overwriteFileUtf8(table.snapshotManager().snapshotPath(sid), json);
                if (batch) {
                    new TagBatchCreation(table).createTag();
                } else {
                    auto.run();
                }
                Thread.sleep(20); // distinct modification times
                res.add("snapshot " + sid + ": " + tags(table));
            }
        } finally {
            deleteAll(dir);
        }
        return res;
    }

    static TagAutoCreation newAuto(FileStoreTable table) {
        return TagAutoCreation.create(
                table.coreOptions(),
                table.snapshotManager(),
                table.tagManager(),
                table.store().newTagDeletion(),
                new ArrayList<>());
    }

    /** The tags as name@snapshot, sorted by snapshot id then name. */
    static String tags(FileStoreTable table) {
        SortedMap<Snapshot, List<String>> tags = table.tagManager().tags();
        TreeMap<Long, List<String>> byId = new TreeMap<>();
        for (Map.Entry<Snapshot, List<String>> e : tags.entrySet()) {
            List<String> names = new ArrayList<>(e.getValue());
            names.sort(null);
            byId.put(e.getKey().id(), names);
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Long, List<String>> e : byId.entrySet()) {
            for (String name : e.getValue()) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(name).append('@').append(e.getKey());
            }
        }
        return sb.length() == 0 ? "(none)" : sb.toString();
    }

    static List<String> partitionTime(List<String> input) {
        String pattern = null;
        String formatter = null;
        List<String> res = new ArrayList<>();
        for (String l : input) {
            if (l.startsWith("pattern ")) {
                pattern = l.substring(8);
                continue;
            }
            if (l.startsWith("formatter ")) {
                formatter = l.substring(10);
                continue;
            }
            if (!l.startsWith("values ")) {
                throw new IllegalArgumentException("unknown line " + l);
            }
            List<String> keys = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (String kv : l.substring(7).split(",")) {
                int eq = kv.indexOf('=');
                keys.add(kv.substring(0, eq));
                values.add(kv.substring(eq + 1));
            }
            String r;
            try {
                r = new PartitionTimeExtractor(pattern, formatter).extract(keys, values).toString();
            } catch (RuntimeException e) {
                r = "error " + e.getClass().getSimpleName();
            }
            res.add(l + " -> " + r);
        }
        return res;
    }

    static void deleteAll(Path dir) throws Exception {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
