// Prints Java Paimon 1.4.2's results of its VARBINARY aggregate functions
// (rbm32, rbm64, hll_sketch, theta_sketch) over fixed inputs, one case a
// line: function, case name, accumulator, input, agg(accumulator, input),
// all bytes in hex. Run by make-java.sh with Paimon's bundle jar, which
// ships RoaringBitmap and Apache DataSketches (shaded).

import org.apache.paimon.mergetree.compact.aggregate.FieldAggregator;
import org.apache.paimon.mergetree.compact.aggregate.FieldHllSketchAgg;
import org.apache.paimon.mergetree.compact.aggregate.FieldRoaringBitmap32Agg;
import org.apache.paimon.mergetree.compact.aggregate.FieldRoaringBitmap64Agg;
import org.apache.paimon.mergetree.compact.aggregate.FieldThetaSketchAgg;
import org.apache.paimon.shade.org.apache.datasketches.hll.HllSketch;
import org.apache.paimon.shade.org.apache.datasketches.hll.TgtHllType;
import org.apache.paimon.shade.org.apache.datasketches.common.Family;
import org.apache.paimon.shade.org.apache.datasketches.theta.UpdateSketch;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.VarBinaryType;
import org.apache.paimon.utils.RoaringBitmap32;
import org.apache.paimon.utils.RoaringBitmap64;

import java.util.HexFormat;

public class AggVectors {
    static final VarBinaryType T = (VarBinaryType) DataTypes.BYTES();
    static long seed = 42;

    static long next() {
        seed = seed * 6364136223846793005L + 1442695040888963407L;
        return seed >>> 1;
    }

    static void out(String fn, String name, FieldAggregator agg, byte[] a, byte[] b) {
        byte[] r = (byte[]) agg.agg(a, b);
        HexFormat h = HexFormat.of();
        System.out.println(fn + "\t" + name + "\t" + h.formatHex(a) + "\t" + h.formatHex(b) + "\t" + h.formatHex(r));
    }

    static int[] ints(int n, int bound) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = (int) (next() % bound);
        }
        return v;
    }

    static int[] range(int from, int to, int step) {
        int[] v = new int[(to - from + step - 1) / step];
        for (int i = 0; i < v.length; i++) {
            v[i] = from + i * step;
        }
        return v;
    }

    static byte[] rbm32(int... v) {
        return RoaringBitmap32.bitmapOf(v).serialize();
    }

    static byte[] rbm64(long... v) throws Exception {
        return RoaringBitmap64.bitmapOf(v).serialize();
    }

    static long[] longs(int[] v, long base) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = base + v[i];
        }
        return r;
    }

    static byte[] hll(int lgK, TgtHllType type, int from, int n) {
        HllSketch s = new HllSketch(lgK, type);
        for (int i = 0; i < n; i++) {
            s.update(from + i);
        }
        return s.toCompactByteArray();
    }

    static byte[] hllUpdatable(int lgK, TgtHllType type, int from, int n) {
        HllSketch s = new HllSketch(lgK, type);
        for (int i = 0; i < n; i++) {
            s.update(from + i);
        }
        return s.toUpdatableByteArray();
    }

    static byte[] theta(int k, long from, int n) {
        UpdateSketch s = UpdateSketch.builder().setNominalEntries(k).build();
        for (int i = 0; i < n; i++) {
            s.update(from + i);
        }
        return s.compact().toByteArray();
    }

    static UpdateSketch thetaUpdate(UpdateSketch s, long from, int n) {
        for (int i = 0; i < n; i++) {
            s.update(from + i);
        }
        return s;
    }

    public static void main(String[] args) throws Exception {
        FieldAggregator r32 = new FieldRoaringBitmap32Agg("rbm32", T);
        out("rbm32", "small", r32, rbm32(1, 2, 3), rbm32(3, 4));
        out("rbm32", "empty", r32, rbm32(), rbm32(5));
        out("rbm32", "both-empty", r32, rbm32(), rbm32());
        out("rbm32", "runs", r32, rbm32(range(0, 100, 1)), rbm32(range(1000, 1100, 1)));
        out("rbm32", "run-join", r32, rbm32(range(0, 100, 1)), rbm32(range(100, 200, 1)));
        out("rbm32", "dense", r32, rbm32(ints(5000, 65536)), rbm32(ints(100, 65536)));
        out("rbm32", "array-to-bitmap", r32, rbm32(ints(3000, 65536)), rbm32(ints(3000, 65536)));
        out("rbm32", "range-and-negative", r32, rbm32(range(0, 70000, 1)), rbm32(100000, Integer.MIN_VALUE, -1));
        out("rbm32", "even-odd", r32, rbm32(range(0, 20000, 2)), rbm32(range(1, 20000, 2)));
        out("rbm32", "spread", r32, rbm32(ints(2000, Integer.MAX_VALUE)), rbm32(ints(2000, 1 << 20)));
        out("rbm32", "run-vs-array", r32, rbm32(range(0, 4000, 2)), rbm32(range(10, 30, 1)));
        out("rbm32", "bitmap-to-run", r32, rbm32(range(0, 65536, 2)), rbm32(range(1, 65536, 2)));
        out("rbm32", "short-runs", r32, rbm32(range(0, 8000, 3)), rbm32(range(1, 8000, 3)));
        out("rbm32", "unoptimized-input", r32, RoaringBitmap32.bitmapOfRange(0, 5000).serialize(), rbm32(7000));

        FieldAggregator r64 = new FieldRoaringBitmap64Agg("rbm64", T);
        out("rbm64", "small", r64, rbm64(1, 2, 3), rbm64(3, 4));
        out("rbm64", "empty", r64, rbm64(), rbm64(5));
        out("rbm64", "both-empty", r64, rbm64(), rbm64());
        out("rbm64", "high", r64, rbm64(1L << 40, (1L << 40) + 1), rbm64(5, 1L << 33, -1L));
        out("rbm64", "runs", r64, rbm64(longs(range(0, 5000, 1), 1L << 35)), rbm64(longs(range(0, 100, 1), 7)));
        out("rbm64", "many-keys", r64, rbm64(longs(ints(300, Integer.MAX_VALUE), 0)), rbm64(longs(ints(300, Integer.MAX_VALUE), 1L << 36)));
        out("rbm64", "dense", r64, rbm64(longs(ints(5000, 65536), 1L << 48)), rbm64(longs(ints(100, 65536), 1L << 48)));

        FieldAggregator hll = new FieldHllSketchAgg("hll_sketch", T);
        out("hll_sketch", "list-list", hll, hll(12, TgtHllType.HLL_4, 0, 3), hll(12, TgtHllType.HLL_4, 2, 3));
        out("hll_sketch", "empty-list", hll, hll(12, TgtHllType.HLL_4, 0, 0), hll(12, TgtHllType.HLL_4, 0, 5));
        out("hll_sketch", "list-empty", hll, hll(12, TgtHllType.HLL_4, 0, 5), hll(12, TgtHllType.HLL_4, 0, 0));
        out("hll_sketch", "set-list", hll, hll(12, TgtHllType.HLL_4, 0, 100), hll(12, TgtHllType.HLL_4, 50, 5));
        out("hll_sketch", "set-set", hll, hll(12, TgtHllType.HLL_4, 0, 100), hll(12, TgtHllType.HLL_4, 50, 200));
        out("hll_sketch", "hll-set", hll, hll(12, TgtHllType.HLL_4, 0, 5000), hll(12, TgtHllType.HLL_4, 50, 200));
        out("hll_sketch", "set-hll", hll, hll(12, TgtHllType.HLL_4, 0, 200), hll(12, TgtHllType.HLL_4, 50, 5000));
        out("hll_sketch", "hll-hll", hll, hll(12, TgtHllType.HLL_4, 0, 5000), hll(12, TgtHllType.HLL_4, 3000, 50000));
        out("hll_sketch", "lg10-lg12", hll, hll(10, TgtHllType.HLL_4, 0, 5000), hll(12, TgtHllType.HLL_4, 3000, 5000));
        out("hll_sketch", "lg12-lg10", hll, hll(12, TgtHllType.HLL_4, 0, 5000), hll(10, TgtHllType.HLL_4, 3000, 5000));
        out("hll_sketch", "hll8-hll6", hll, hll(12, TgtHllType.HLL_8, 0, 5000), hll(12, TgtHllType.HLL_6, 3000, 5000));
        out("hll_sketch", "hll6-list", hll, hll(11, TgtHllType.HLL_6, 0, 5000), hll(12, TgtHllType.HLL_8, 3000, 4));
        out("hll_sketch", "updatable", hll, hllUpdatable(12, TgtHllType.HLL_4, 0, 5000), hllUpdatable(12, TgtHllType.HLL_8, 0, 100));
        // Added after the cases above, so that their inputs stay the same.
        out("hll_sketch", "list-to-set", hll, hll(12, TgtHllType.HLL_4, 0, 5), hll(12, TgtHllType.HLL_4, 10, 5));
        out("hll_sketch", "list-to-hll-lg7", hll, hll(7, TgtHllType.HLL_4, 0, 5), hll(7, TgtHllType.HLL_4, 10, 5));
        out("hll_sketch", "lg4", hll, hll(4, TgtHllType.HLL_8, 0, 100), hll(4, TgtHllType.HLL_6, 50, 3));
        out("hll_sketch", "set-to-hll", hll, hll(12, TgtHllType.HLL_4, 0, 300), hll(12, TgtHllType.HLL_4, 200, 300));
        out("hll_sketch", "set-to-hll-hll8", hll, hll(12, TgtHllType.HLL_8, 0, 300), hll(12, TgtHllType.HLL_6, 200, 300));
        out("hll_sketch", "list-then-big-hll", hll, hll(14, TgtHllType.HLL_8, 0, 50000), hll(10, TgtHllType.HLL_4, 7, 3));
        out("hll_sketch", "empty-then-big-hll", hll, hll(14, TgtHllType.HLL_6, 0, 50000), hll(10, TgtHllType.HLL_4, 0, 0));
        out("hll_sketch", "set-then-big-hll", hll, hll(13, TgtHllType.HLL_4, 0, 20000), hll(11, TgtHllType.HLL_8, 7, 100));
        out("hll_sketch", "hll-then-set-lg", hll, hll(12, TgtHllType.HLL_4, 0, 200), hll(11, TgtHllType.HLL_8, 50, 5000));
        out("hll_sketch", "updatable-aux", hll, hllUpdatable(10, TgtHllType.HLL_4, 0, 200000), hllUpdatable(10, TgtHllType.HLL_4, 100000, 200000));
        out("hll_sketch", "aux-big", hll, hll(8, TgtHllType.HLL_4, 0, 1000000), hll(8, TgtHllType.HLL_4, 500000, 1000000));
        out("hll_sketch", "updatable-set-hll6", hll, hllUpdatable(12, TgtHllType.HLL_6, 0, 250), hllUpdatable(12, TgtHllType.HLL_4, 100, 250));
        out("hll_sketch", "updatable-list", hll, hllUpdatable(12, TgtHllType.HLL_8, 0, 6), hllUpdatable(12, TgtHllType.HLL_8, 3, 6));

        FieldAggregator th = new FieldThetaSketchAgg("theta_sketch", T);
        out("theta_sketch", "exact", th, theta(4096, 0, 3), theta(4096, 2, 3));
        out("theta_sketch", "empty-exact", th, theta(4096, 0, 0), theta(4096, 0, 5));
        out("theta_sketch", "both-empty", th, theta(4096, 0, 0), theta(4096, 0, 0));
        out("theta_sketch", "single", th, theta(4096, 7, 1), theta(4096, 7, 1));
        out("theta_sketch", "exact-over-k", th, theta(4096, 0, 3000), theta(4096, 2000, 3000));
        out("theta_sketch", "estimate-exact", th, theta(4096, 0, 20000), theta(4096, 50, 100));
        out("theta_sketch", "estimate-estimate", th, theta(4096, 0, 20000), theta(4096, 10000, 30000));
        out("theta_sketch", "k512-k4096", th, theta(512, 0, 5000), theta(4096, 1000, 5000));
        out("theta_sketch", "k8192", th, theta(8192, 0, 20000), theta(8192, 5000, 20000));
        // Added after the cases above, so that their inputs stay the same.
        out("theta_sketch", "single-exact", th, theta(4096, 7, 1), theta(4096, 0, 10));
        out("theta_sketch", "exact-single", th, theta(4096, 0, 10), theta(4096, 70, 1));
        out("theta_sketch", "k-plus-one", th, theta(4096, 0, 4096), theta(4096, 4096, 1));
        out("theta_sketch", "unordered", th,
                thetaUpdate(UpdateSketch.builder().build(), 0, 3000).compact(false, null).toByteArray(), theta(4096, 1000, 3000));
        out("theta_sketch", "unordered-estimate", th,
                thetaUpdate(UpdateSketch.builder().build(), 0, 20000).compact(false, null).toByteArray(),
                thetaUpdate(UpdateSketch.builder().setNominalEntries(8192).build(), 10000, 20000).compact(false, null).toByteArray());
        out("theta_sketch", "update-sketches", th,
                thetaUpdate(UpdateSketch.builder().setNominalEntries(8192).build(), 0, 12000).toByteArray(),
                thetaUpdate(UpdateSketch.builder().build(), 6000, 10000).toByteArray());
        out("theta_sketch", "alpha", th,
                thetaUpdate(UpdateSketch.builder().setFamily(Family.ALPHA).build(), 0, 20000).toByteArray(), theta(4096, 100, 50));
        out("theta_sketch", "p-sampled-empty-estimate", th,
                thetaUpdate(UpdateSketch.builder().setP(0.001f).build(), 0, 3).compact().toByteArray(), theta(4096, 0, 5));
        out("theta_sketch", "p-sampled", th,
                thetaUpdate(UpdateSketch.builder().setP(0.5f).build(), 0, 100).compact().toByteArray(), theta(4096, 50, 100));
        out("theta_sketch", "empty-update-sketch", th, UpdateSketch.builder().build().toByteArray(), theta(4096, 0, 1));
    }
}
