// Paimon's casts computed by Java Paimon itself, for floe's cast tests
// (schema/testdata): `cast --file F` runs the cases of a cast file (the
// format of schema/testdata/cast) through CastExecutors and prints them
// with Java's results; `castrules --types F` prints, for every pair of the
// types listed in F (one per line), DataTypeCasts.supportsCast without and
// with explicit casts and whether CastExecutors.resolve finds an executor.

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.paimon.casting.CastExecutor;
import org.apache.paimon.casting.CastExecutors;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.GenericArray;
import org.apache.paimon.data.GenericMap;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.shade.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.paimon.types.ArrayType;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypeCasts;
import org.apache.paimon.types.DataTypeChecks;
import org.apache.paimon.types.MapType;
import org.apache.paimon.types.RowType;

final class CastCheck {

    private CastCheck() {}

    static void run(String cmd, Map<String, String> f) throws Exception {
        StringBuilder out = new StringBuilder();
        if (cmd.equals("castrules")) {
            List<String> types = new ArrayList<>();
            for (String l : Files.readAllLines(Paths.get(Tool.need(f, "types")), StandardCharsets.UTF_8)) {
                if (!l.isEmpty() && !l.startsWith("#")) {
                    types.add(l);
                }
            }
            for (String a : types) {
                for (String b : types) {
                    DataType from = Tool.parseType(a);
                    DataType to = Tool.parseType(b);
                    String r;
                    try {
                        r = Boolean.toString(CastExecutors.resolve(from, to) != null);
                    } catch (Throwable e) {
                        r = "error";
                    }
                    out.append(a).append(" -> ").append(b).append(": implicit=")
                            .append(DataTypeCasts.supportsCast(from, to, false))
                            .append(" explicit=").append(DataTypeCasts.supportsCast(from, to, true))
                            .append(" rule=").append(r).append('\n');
                }
            }
        } else {
            List<String> lines = Files.readAllLines(Paths.get(Tool.need(f, "file")), StandardCharsets.UTF_8);
            int i = 0;
            while (i < lines.size()) {
                String l = lines.get(i);
                if (!l.startsWith("cast ")) {
                    i++;
                    continue;
                }
                String[] ft = l.substring(5).split(" -> ", 2);
                DataType from = Tool.parseType(ft[0]);
                DataType to = Tool.parseType(ft[1]);
                List<String> inputs = new ArrayList<>();
                i++;
                while (!lines.get(i).equals("----")) {
                    inputs.add(lines.get(i++));
                }
                while (i < lines.size() && !lines.get(i).isEmpty()) {
                    i++;
                }
                out.append(l).append('\n');
                for (String in : inputs) {
                    out.append(in).append('\n');
                }
                out.append("----\n");
                @SuppressWarnings("unchecked")
                CastExecutor<Object, Object> ex = (CastExecutor<Object, Object>) CastExecutors.resolve(from, to);
                if (ex == null) {
                    out.append("no cast rule\n\n");
                    continue;
                }
                for (String in : inputs) {
                    Object v = in.equals("null") ? null : topValue(in, from);
                    if (v == null) {
                        out.append("null\n");
                        continue;
                    }
                    try {
                        out.append(render(ex.cast(v), to)).append('\n');
                    } catch (Throwable e) {
                        out.append("error\n");
                    }
                }
                out.append('\n');
            }
        }
        System.out.print(out);
    }

    static Object topValue(String text, DataType t) throws Exception {
        switch (t.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return BinaryString.fromString(Tool.JSON.readTree(text).asText());
            case ARRAY:
            case MAP:
            case ROW:
                return nested(Tool.JSON.readTree(text), t);
            default:
                return scalar(text, t);
        }
    }

    static Object nested(JsonNode n, DataType t) {
        if (n == null || n.isNull()) {
            return null;
        }
        switch (t.getTypeRoot()) {
            case ARRAY:
                {
                    DataType et = ((ArrayType) t).getElementType();
                    Object[] a = new Object[n.size()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = nested(n.get(i), et);
                    }
                    return new GenericArray(a);
                }
            case MAP:
                {
                    MapType mt = (MapType) t;
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (JsonNode kv : n) {
                        m.put(nested(kv.get(0), mt.getKeyType()), nested(kv.get(1), mt.getValueType()));
                    }
                    return new GenericMap(m);
                }
            case ROW:
                {
                    RowType rt = (RowType) t;
                    GenericRow r = new GenericRow(rt.getFieldCount());
                    for (int i = 0; i < rt.getFieldCount(); i++) {
                        r.setField(i, nested(n.get(i), rt.getTypeAt(i)));
                    }
                    return r;
                }
            case CHAR:
            case VARCHAR:
                return BinaryString.fromString(n.asText());
            default:
                return scalar(n.asText(), t);
        }
    }

    static Object scalar(String s, DataType t) {
        switch (t.getTypeRoot()) {
            case BOOLEAN:
                return Boolean.parseBoolean(s);
            case TINYINT:
                return (byte) Long.parseLong(s);
            case SMALLINT:
                return (short) Long.parseLong(s);
            case INTEGER:
                return (int) Long.parseLong(s);
            case BIGINT:
                return Long.parseLong(s);
            case FLOAT:
                return Float.parseFloat(s);
            case DOUBLE:
                return Double.parseDouble(s);
            case DECIMAL:
                return Decimal.fromBigDecimal(
                        new BigDecimal(s), DataTypeChecks.getPrecision(t), DataTypeChecks.getScale(t));
            case BINARY:
            case VARBINARY:
                {
                    String h = s.substring(2, s.length() - 1);
                    byte[] b = new byte[h.length() / 2];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
                    }
                    return b;
                }
            case DATE:
                return (int) date(s).toEpochDay();
            case TIME_WITHOUT_TIME_ZONE:
                return time(s);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                {
                    int sp = s.indexOf(' ');
                    LocalDate d = date(s.substring(0, sp));
                    String tod = s.substring(sp + 1);
                    String frac = "";
                    int dot = tod.indexOf('.');
                    if (dot >= 0) {
                        frac = tod.substring(dot + 1);
                        tod = tod.substring(0, dot);
                    }
                    long nanos = frac.isEmpty() ? 0 : Long.parseLong((frac + "000000000").substring(0, 9));
                    long nanoOfDay = time(tod) * 1_000_000L + nanos;
                    return Timestamp.fromLocalDateTime(
                            LocalDateTime.of(d, java.time.LocalTime.ofNanoOfDay(nanoOfDay)));
                }
            default:
                throw new IllegalArgumentException("no text form for " + t);
        }
    }

    static LocalDate date(String s) {
        boolean neg = s.startsWith("-");
        String[] p = (neg ? s.substring(1) : s).split("-");
        int y = Integer.parseInt(p[0]);
        return LocalDate.of(neg ? -y : y, Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    }

    static int time(String s) {
        String frac = "";
        int dot = s.indexOf('.');
        if (dot >= 0) {
            frac = s.substring(dot + 1);
            s = s.substring(0, dot);
        }
        String[] p = s.split(":");
        int ms = frac.isEmpty() ? 0 : Integer.parseInt((frac + "000").substring(0, 3));
        return ((Integer.parseInt(p[0]) * 60 + Integer.parseInt(p[1])) * 60 + Integer.parseInt(p[2])) * 1000 + ms;
    }

    static String render(Object v, DataType t) {
        if (v == null) {
            return "null";
        }
        switch (t.getTypeRoot()) {
            case FLOAT:
                return Float.toString((Float) v);
            case DOUBLE:
                return Double.toString((Double) v);
            case DECIMAL:
                return ((Decimal) v).toBigDecimal().toPlainString();
            case CHAR:
            case VARCHAR:
                return quote(v.toString());
            case BINARY:
            case VARBINARY:
                {
                    StringBuilder sb = new StringBuilder("x'");
                    for (byte b : (byte[]) v) {
                        sb.append(String.format("%02x", b & 0xff));
                    }
                    return sb.append('\'').toString();
                }
            case DATE:
                return renderDate(((Number) v).longValue());
            case TIME_WITHOUT_TIME_ZONE:
                {
                    long ms = ((Number) v).longValue();
                    if (ms < 0 || ms >= 86_400_000L) {
                        return "ms=" + ms;
                    }
                    String s = String.format("%02d:%02d:%02d", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60);
                    if (ms % 1000 != 0) {
                        s += String.format(".%03d", ms % 1000).replaceAll("0+$", "");
                    }
                    return s;
                }
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                {
                    Timestamp ts = (Timestamp) v;
                    long ms = ts.getMillisecond();
                    long day = Math.floorDiv(ms, 86_400_000L);
                    long tod = Math.floorMod(ms, 86_400_000L);
                    String s = renderDate(day)
                            + String.format(" %02d:%02d:%02d", tod / 3600000, tod / 60000 % 60, tod / 1000 % 60);
                    long nos = tod % 1000 * 1_000_000L + ts.getNanoOfMillisecond();
                    if (nos != 0) {
                        s += String.format(".%09d", nos).replaceAll("0+$", "");
                    }
                    return s;
                }
            default:
                return v.toString();
        }
    }

    static String renderDate(long day) {
        LocalDate d = LocalDate.ofEpochDay(day);
        int y = d.getYear();
        String ys = y < 0 ? String.format("-%04d", -y) : String.format("%04d", y);
        return ys + String.format("-%02d-%02d", d.getMonthValue(), d.getDayOfMonth());
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints()
                .forEach(
                        c -> {
                            if (c == '"' || c == '\\') {
                                b.append('\\').appendCodePoint(c);
                            } else if (c < 0x20 || c == 0x7f) {
                                b.append(String.format("\\u%04x", c));
                            } else {
                                b.appendCodePoint(c);
                            }
                        });
        return b.append('"').toString();
    }
}
