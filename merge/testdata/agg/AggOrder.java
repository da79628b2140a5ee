// Prints the element order of Java Paimon 1.4.2's hash-built results:
// collect with distinct over STRING, INT, BIGINT, DOUBLE, DECIMAL and
// TIMESTAMP elements, merge_map over STRING keys, and nested_update with an
// INT,STRING nested key. One case a line: name, then the result's elements
// as Java prints them, comma-separated. Run by make-java.sh.

import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.GenericArray;
import org.apache.paimon.data.GenericMap;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.InternalMap;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.mergetree.compact.aggregate.FieldCollectAgg;
import org.apache.paimon.mergetree.compact.aggregate.FieldMergeMapAgg;
import org.apache.paimon.mergetree.compact.aggregate.FieldNestedUpdateAgg;
import org.apache.paimon.types.ArrayType;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.MapType;
import org.apache.paimon.types.RowType;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class AggOrder {
    static void collect(String name, DataType elem, Object[] a, Object[] b) {
        FieldCollectAgg agg = new FieldCollectAgg("collect", new ArrayType(elem), true);
        InternalArray r = (InternalArray) agg.agg(new GenericArray(a), new GenericArray(b));
        List<String> out = new ArrayList<>();
        for (Object o : ((GenericArray) r).toObjectArray()) {
            out.add(str(o));
        }
        System.out.println(name + "\t" + String.join(",", out));
    }

    // str prints an element: timestamps as millis:nanos, decimals as the
    // unscaled value, doubles as their (canonical) bits.
    static String str(Object o) {
        if (o instanceof Timestamp) {
            Timestamp t = (Timestamp) o;
            return t.getMillisecond() + ":" + t.getNanoOfMillisecond();
        }
        if (o instanceof Decimal) {
            return ((Decimal) o).toBigDecimal().unscaledValue().toString();
        }
        if (o instanceof Double) {
            return Long.toString(Double.doubleToLongBits((Double) o));
        }
        return String.valueOf(o);
    }

    static Object[] strings(int n, String prefix) {
        Object[] v = new Object[n];
        for (int i = 0; i < n; i++) {
            v[i] = BinaryString.fromString(prefix + i);
        }
        return v;
    }

    public static void main(String[] args) {
        collect("collect-string", DataTypes.STRING(), strings(20, "k"), strings(20, "é"));
        collect("collect-string-short", DataTypes.STRING(), new Object[] {BinaryString.fromString("a"), BinaryString.fromString("bb")},
                new Object[] {BinaryString.fromString("ccc"), BinaryString.fromString(""), BinaryString.fromString("ddddd")});
        Object[] ints = new Object[40];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = (i * 7919) % 1000 - 500;
        }
        collect("collect-int", DataTypes.INT(), ints, new Object[] {null, 3, 65536, -65536});
        Object[] longs = new Object[20];
        for (int i = 0; i < longs.length; i++) {
            longs[i] = ((long) i << 33) - i * 12345L;
        }
        collect("collect-bigint", DataTypes.BIGINT(), longs, new Object[] {Long.MIN_VALUE, -1L});
        collect("collect-double", DataTypes.DOUBLE(), new Object[] {0.5, -0.0, 0.0, Double.NaN, 1e300},
                new Object[] {3.25, Double.NaN, -7.0});
        Object[] decs = new Object[15];
        for (int i = 0; i < decs.length; i++) {
            decs[i] = Decimal.fromBigDecimal(new BigDecimal((i * 1234567L - 5000000L) + ".25"), 20, 2);
        }
        collect("collect-decimal", DataTypes.DECIMAL(20, 2), decs,
                new Object[] {Decimal.fromBigDecimal(new BigDecimal("123456789012345678.99"), 20, 2)});
        Object[] ts = new Object[15];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = Timestamp.fromEpochMillis(i * 86400123L - 1000000000L, i * 1000);
        }
        collect("collect-timestamp", DataTypes.TIMESTAMP(9), ts, new Object[] {});

        FieldMergeMapAgg mm = new FieldMergeMapAgg("merge_map", new MapType(DataTypes.STRING(), DataTypes.INT()));
        Map<Object, Object> m1 = new LinkedHashMap<>();
        Map<Object, Object> m2 = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            m1.put(BinaryString.fromString("key" + i), i);
            m2.put(BinaryString.fromString("x" + i), -i);
        }
        InternalMap r = (InternalMap) mm.agg(new GenericMap(m1), new GenericMap(m2));
        InternalArray ks = r.keyArray();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ks.size(); i++) {
            out.add(ks.getString(i).toString());
        }
        System.out.println("merge_map-string\t" + String.join(",", out));

        RowType rt = RowType.of(new DataType[] {DataTypes.INT(), DataTypes.STRING(), DataTypes.INT()}, new String[] {"k1", "k2", "v"});
        FieldNestedUpdateAgg nu = new FieldNestedUpdateAgg("nested_update", new ArrayType(rt), Arrays.asList("k1", "k2"), Integer.MAX_VALUE);
        Object[] rows = new Object[30];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = GenericRow.of(i * 31 - 200, BinaryString.fromString("s" + (i % 7)), i);
        }
        InternalArray nr = (InternalArray) nu.agg(new GenericArray(rows), new GenericArray(new Object[] {GenericRow.of(5, null, 99)}));
        out.clear();
        for (int i = 0; i < nr.size(); i++) {
            InternalRow row = nr.getRow(i, 3);
            out.add(String.valueOf(row.getInt(2)));
        }
        System.out.println("nested_update-key\t" + String.join(",", out));
    }
}
