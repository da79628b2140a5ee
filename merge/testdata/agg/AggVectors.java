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
import org.apache.paimon.shade.org.roaringbitmap.longlong.Roaring64Bitmap;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.VarBinaryType;
import org.apache.paimon.utils.RoaringBitmap32;
import org.apache.paimon.utils.RoaringBitmap64;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
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

    // raw64 serializes a Roaring64Bitmap as built, without the run
    // optimisation Paimon's RoaringBitmap64 applies, after removing the
    // values in remove: inputs whose layout only other writers produce.
    static byte[] raw64(long[] add, long... remove) throws Exception {
        Roaring64Bitmap b = new Roaring64Bitmap();
        for (long v : add) {
            b.addLong(v);
        }
        for (long v : remove) {
            b.removeLong(v);
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream dos = new DataOutputStream(bos);
        b.serialize(dos);
        dos.flush();
        return bos.toByteArray();
    }

    // keys64 is one value in each of the keys (high 48 bits) k * step + base.
    static long[] keys64(int n, long step, long base) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = ((base + i * step) << 16) | (i & 0xFFFF);
        }
        return r;
    }

    static long[] cat(long[]... parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p.length;
        }
        long[] r = new long[n];
        int i = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, r, i, p.length);
            i += p.length;
        }
        return r;
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
        // Added after the cases above, so that their inputs stay the same.
        // Trees: each node type, growth from one to the next, splits of
        // path-compressed prefixes at each depth.
        out("rbm64", "node4-to-node16", r64, rbm64(keys64(3, 1, 0)), rbm64(keys64(10, 1, 3)));
        out("rbm64", "node16-to-node48", r64, rbm64(keys64(12, 1, 0)), rbm64(keys64(20, 1, 12)));
        out("rbm64", "node48-to-node256", r64, rbm64(keys64(40, 3, 0)), rbm64(keys64(60, 2, 1)));
        out("rbm64", "node256", r64, rbm64(keys64(256, 1, 1L << 20)), rbm64(keys64(300, 7, 5)));
        out("rbm64", "interleaved", r64, rbm64(keys64(30, 2, 0)), rbm64(keys64(30, 2, 1)));
        out("rbm64", "descending-inputs", r64, rbm64(keys64(20, -1, 100)), rbm64(keys64(50, -3, 400)));
        for (int d = 0; d < 6; d++) {
            long k = 0x0102030405L << 16;
            long other = k ^ (1L << (8 * (5 - d) + 16));
            out("rbm64", "prefix-split-" + d, r64, rbm64(k, k + (1L << 16)), rbm64(other, other + 7));
        }
        out("rbm64", "leaf-split", r64, rbm64(0x0102030405L << 16), rbm64(0x0102030406L << 16, 0x01020304FFL << 16));
        out("rbm64", "spread-keys", r64, rbm64(longs(ints(500, Integer.MAX_VALUE), 0)), rbm64(longs(ints(500, Integer.MAX_VALUE), 1L << 40)));
        out("rbm64", "negative", r64, rbm64(-1L, -65536L, Long.MIN_VALUE), rbm64(-2L, Long.MIN_VALUE + 1, 0));
        // Container types: array, bitmap and run on each side of a shared key.
        long[] arr = longs(range(0, 4000, 3), 0);
        long[] bmp = longs(range(0, 65536, 3), 0);
        long[] run = longs(range(1000, 30000, 1), 0);
        long[] arr2 = longs(range(1, 4000, 3), 0);
        long[] run2 = longs(range(20000, 50000, 1), 0);
        out("rbm64", "array-array", r64, rbm64(arr), rbm64(longs(range(1, 3000, 3), 0)));
        out("rbm64", "array-array-to-bitmap", r64, rbm64(arr), rbm64(longs(range(5000, 13000, 3), 0)));
        out("rbm64", "array-array-small-union", r64, rbm64(longs(range(0, 6000, 2), 0)), rbm64(longs(range(0, 6000, 4), 0)));
        out("rbm64", "array-bitmap", r64, rbm64(arr2), rbm64(bmp));
        out("rbm64", "array-run", r64, rbm64(arr), rbm64(run));
        out("rbm64", "array-run-to-array", r64, rbm64(longs(range(0, 200, 2), 0)), rbm64(longs(range(50, 60, 1), 0)));
        out("rbm64", "bitmap-array", r64, rbm64(bmp), rbm64(arr2));
        out("rbm64", "bitmap-bitmap", r64, rbm64(bmp), rbm64(longs(range(1, 65536, 3), 0)));
        out("rbm64", "bitmap-run", r64, rbm64(bmp), rbm64(run));
        out("rbm64", "bitmap-to-full", r64, rbm64(longs(range(0, 65536, 2), 0)), rbm64(longs(range(1, 65536, 2), 0)));
        out("rbm64", "run-array", r64, rbm64(run), rbm64(arr));
        out("rbm64", "run-bitmap", r64, rbm64(run), rbm64(bmp));
        out("rbm64", "run-run", r64, rbm64(run), rbm64(run2));
        out("rbm64", "run-run-to-full", r64, rbm64(longs(range(0, 40000, 1), 0)), rbm64(longs(range(30000, 65536, 1), 0)));
        out("rbm64", "full-array", r64, rbm64(longs(range(0, 65536, 1), 0)), rbm64(arr));
        out("rbm64", "run-array-to-bitmap", r64, rbm64(longs(range(0, 65536, 1), 5).clone()), rbm64(bmp));
        out("rbm64", "run-scattered", r64, rbm64(longs(range(0, 100, 1), 0)), rbm64(longs(range(200, 65536, 2), 0)));
        // Inputs not written by Paimon: without the run optimisation, and
        // with keys and values removed (node48 slot holes, node shrinking,
        // prefixes on leaves, empty container slots).
        out("rbm64", "raw-unoptimized", r64, raw64(longs(range(0, 5000, 1), 0)), raw64(longs(range(4000, 9000, 1), 1L << 16)));
        out("rbm64", "raw-run-untouched", r64, rbm64(longs(range(0, 5000, 1), 0)), raw64(longs(range(0, 10, 1), 1L << 16)));
        out("rbm64", "raw-removed-keys", r64, raw64(keys64(60, 1, 0), keys64(30, 2, 0)), rbm64(keys64(40, 1, 20)));
        out("rbm64", "raw-removed-node48-holes", r64, raw64(keys64(40, 1, 0), keys64(5, 7, 0)), rbm64(keys64(10, 1, 200)));
        out("rbm64", "raw-shrunk-node", r64, raw64(keys64(20, 1, 0), cat(keys64(17, 1, 0))), rbm64(keys64(3, 1, 50)));
        out("rbm64", "raw-leaf-prefix", r64, raw64(cat(keys64(1, 1, 0x0102030405L), keys64(1, 1, 0x0102030406L), keys64(1, 1, 0x0A00000000L)), keys64(1, 1, 0x0102030406L)), rbm64(keys64(1, 1, 0x0102030407L)));
        out("rbm64", "raw-empty-after-removal", r64, raw64(keys64(3, 1, 0), keys64(3, 1, 0)), rbm64(keys64(2, 1, 9)));
        out("rbm64", "raw-input-removed", r64, rbm64(keys64(5, 1, 0)), raw64(keys64(30, 1, 0), keys64(10, 3, 0)));
        // Folds: each step's accumulator is the previous step's result, so
        // layouts read back from Java's own output keep growing.
        byte[] acc = rbm64(keys64(2, 1, 0));
        for (int i = 0; i < 12; i++) {
            byte[] in = rbm64(cat(longs(ints(3 + i * 5, 1 << 24), 1L << 32), keys64(i * 4, 5, i)));
            byte[] r = (byte[]) r64.agg(acc, in);
            HexFormat h = HexFormat.of();
            System.out.println("rbm64\tfold-" + i + "\t" + h.formatHex(acc) + "\t" + h.formatHex(in) + "\t" + h.formatHex(r));
            acc = r;
        }
    }
}
