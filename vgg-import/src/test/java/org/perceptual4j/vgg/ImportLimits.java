package org.perceptual4j.vgg;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.onnx.OnnxFeatureExtractor;

/**
 * Measures the wall time and peak heap of importing full-size weights files, by hand (not a test;
 * speed is not asserted in tests). Write the files with
 * {@code generate_vgg19_shaped.py --widths 64,128,256,512,512 --out /tmp/x/vgg19_full.h5} and
 * {@code generate_onnx_golden.py --full-size /tmp/x}, then run, one file per fresh JVM:
 *
 * <pre>
 * mvn -q package -DskipTests dependency:build-classpath -pl vgg-import -am -DincludeScope=test \
 *     -Dmdep.outputFile=target/test-cp.txt
 * java -Xmx2g -cp "vgg-import/target/test-classes:vgg-import/target/classes:$(cat vgg-import/target/test-cp.txt)" \
 *     org.perceptual4j.vgg.ImportLimits vgg19|onnx FILE
 * </pre>
 *
 * {@code vgg19} imports with {@link Vgg19#fromKeras} (.h5) or {@link Vgg19#fromOnnx} (.onnx);
 * {@code onnx} with {@link OnnxFeatureExtractor#load}. Prints the import time (including the ND4J
 * initialization of the first import in the JVM, and a second import), the peak heap the garbage
 * collector saw (sum of the heap pools' peaks, an upper bound), and the resident memory of the process (heap and native).
 */
public final class ImportLimits {
    private ImportLimits() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ImportLimits vgg19|onnx FILE");
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        boolean general = args[0].equals("onnx");
        for (int run = 1; run <= 2; run++) {
            System.gc();
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            long t0 = System.nanoTime();
            FeatureExtractor net = general ? OnnxFeatureExtractor.load(file)
                    : file.toString().endsWith(".h5") ? Vgg19.fromKeras(file) : Vgg19.fromOnnx(file);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            String layer = general ? net.layerNames().get(net.layerNames().size() > 37 ? 36 : net.layerNames().size() - 1) : "relu5_1";
            long[] shape = general && net.layerNames().size() > 37 ? new long[] {1, 3, 224, 224} : new long[] {1, 3, 64, 64};
            long[] out = net.features(Nd4j.rand(DataType.FLOAT, shape), List.of(layer)).get(layer).shape();
            System.out.printf(Locale.ROOT, "%s import %d of %s: %.2f s, peak heap %.0f MiB (max %.0f MiB), resident %.0f MiB;"
                    + " %s -> %s%n", args[0], run, file.getFileName(), seconds, peak / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0, Pointer.physicalBytes() / 1048576.0, layer,
                    java.util.Arrays.toString(out));
        }
    }
}
