package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.fast.FastStyleModel;
import org.perceptual4j.fast.FastStyleTrainer;
import org.perceptual4j.fast.TransformNet;
import org.perceptual4j.image.Images;
import org.perceptual4j.vgg.Vgg16;

/**
 * Side-by-side timing of fast style transfer with {@code fast_style_timing.py} (PyTorch): training
 * throughput (images/s at 256 x 256, batch 4, the full transform net, VGG16 loss network) and inference
 * time of the full transform net at 512 x 512 and 1024 x 1024. Not a JMH benchmark: a quick measurement
 * whose figures are meant to be read next to PyTorch's taken in the same run (the JMH benchmarks are the
 * reference for the library's own speed).
 *
 * <p>The VGG16 file may hold random weights (timing does not depend on the values):
 * {@code /usr/bin/python3 vgg-import/src/test/python/generate_vgg19_shaped.py --depth 16 --widths
 * 64,128,256,512,512 --out /tmp/vgg16_full.h5}. Run (from the repository root):
 * <pre>
 * mvn -B -ntp -q -DskipTests package dependency:build-classpath -pl benchmarks -am -Dmdep.outputFile=/tmp/p4j-bench.cp
 * java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G \
 *     -cp benchmarks/target/classes:$(cat /tmp/p4j-bench.cp) org.perceptual4j.benchmarks.FastStyleTiming \
 *     /tmp/vgg16_full.h5 [trainingIterations=6] [inferenceRepeats=3] [microBatch=1]
 * /usr/bin/python3 benchmarks/src/main/python/fast_style_timing.py /tmp/vgg16_full.h5 [iterations=6] [repeats=3]
 * </pre>
 * Training throughput counts the iterations after the first (warm-up); it includes reading and resizing
 * the training PNGs (a few milliseconds per batch). Inference reports the median of the repeats of
 * {@code FastStyleModel.stylizer(size, size)} after one warm-up run (like PyTorch's module call), and the
 * one-shot {@code stylize} time, which includes building the computation and its first run. Training needs
 * about 12 GB resident (measured peak; it fails with an 8 GB limit), PyTorch about 2.5 GB: give the process
 * room and make sure the machine has it.
 */
public final class FastStyleTiming {
    private FastStyleTiming() {
    }

    public static void main(String[] args) throws IOException {
        NativeBinaries.selectForThisCpu();
        if (args.length < 1) {
            System.err.println("usage: FastStyleTiming VGG16_WEIGHTS.h5 [trainingIterations] [inferenceRepeats] [microBatch]");
            System.exit(2);
        }
        Path weights = Path.of(args[0]);
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int microBatch = args.length > 3 ? Integer.parseInt(args[3]) : FastStyleTrainer.DEFAULT_MICRO_BATCH;

        Path data = Files.createTempDirectory("p4j-fast-timing");
        for (int i = 0; i < 16; i++) {
            Images.write(noise(100 + i, 288, 352), data.resolve("img" + i + ".png"));
        }
        List<Long> stepNanos = new ArrayList<>();
        long[] last = {System.nanoTime()};
        FastStyleTrainer.builder()
                .dataDirectory(data)
                .featureExtractor(Vgg16.fromKeras(weights))
                .style(noise(1, 256, 256), "noise")
                .iterations(iterations)
                .microBatch(microBatch)
                .listener(e -> {
                    long now = System.nanoTime();
                    stepNanos.add(now - last[0]);
                    last[0] = now;
                    System.out.printf(Locale.ROOT, "train iteration %d: %.2f s%n", e.iteration(), stepNanos.get(stepNanos.size() - 1) / 1e9);
                })
                .build()
                .train();
        double seconds = stepNanos.subList(1, stepNanos.size()).stream().mapToLong(Long::longValue).sum() / 1e9;
        System.out.printf(Locale.ROOT, "java training: %.3f images/s (256x256, batch 4, micro-batch %d, %d timed iterations, %.2f s per iteration)%n",
                4 * (stepNanos.size() - 1) / seconds, microBatch, stepNanos.size() - 1, seconds / (stepNanos.size() - 1));

        FastStyleModel model = FastStyleModel.of(TransformNet.random(TransformNet.Architecture.JOHNSON, 0),
                FastStyleModel.Metadata.of("random", 0, Map.of()));
        for (int size : new int[] {512, 1024}) {
            INDArray image = noise(2, size, size);
            long t0 = System.nanoTime();
            model.stylize(image); // one-shot: builds the computation for this size, then runs it
            System.out.printf(Locale.ROOT, "java one-shot stylize %dx%d (build + first run): %.3f s%n", size, size,
                    (System.nanoTime() - t0) / 1e9);
            java.util.function.UnaryOperator<INDArray> stylizer = model.stylizer(size, size);
            stylizer.apply(image);
            double[] t = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t1 = System.nanoTime();
                stylizer.apply(image);
                t[r] = (System.nanoTime() - t1) / 1e9;
            }
            Arrays.sort(t);
            System.out.printf(Locale.ROOT, "java inference %dx%d: %.3f s (median of %d; all %s)%n", size, size, t[repeats / 2], repeats,
                    Arrays.toString(t));
        }
    }

    private static INDArray noise(long seed, int h, int w) {
        Random r = new Random(seed);
        float[] v = new float[3 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return Nd4j.create(v, new long[] {1, 3, h, w}, 'c').castTo(DataType.FLOAT);
    }
}
