package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.image.Images;
import org.perceptual4j.style.Initialization;
import org.perceptual4j.style.LossRecord;
import org.perceptual4j.style.StyleTransfer;
import org.perceptual4j.style.StyleTransferResult;
import org.perceptual4j.vgg.Vgg19;
import org.perceptual4j.vgg.VggCompute;
import org.perceptual4j.vgg.VggFeatureExtractor;

/**
 * Whether the faster {@link VggCompute} modes may replace fp32: runs the same style transfer (default
 * losses and weights, L-BFGS, content initialisation) with each mode and compares every iteration's
 * total loss with {@link VggCompute#AUTO}'s (fp32 direct convolutions). The acceptance rule of issue 5:
 * the loss curve stays within 1% of fp32's over 100 L-BFGS iterations. Also prints each mode's time per
 * iteration, as ratios against AUTO in the same run.
 *
 * <pre>
 * mvn -B -ntp -q -DskipTests package dependency:build-classpath -pl benchmarks -am -Dmdep.outputFile=/tmp/p4j-bench.cp
 * java -Xmx4g -cp benchmarks/target/classes:$(cat /tmp/p4j-bench.cp) org.perceptual4j.benchmarks.ComputeModeCheck \
 *     VGG19_WEIGHTS.h5 [SIZE=256] [ITERATIONS=100] [CONTENT STYLE] [MODES=AUTO,WINOGRAD,BF16]
 * </pre>
 *
 * Without CONTENT and STYLE (or with {@code -}) the images are seeded noise. With random weights the
 * figures say how the arithmetic differs, not how the images look.
 */
public final class ComputeModeCheck {
    private ComputeModeCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: ComputeModeCheck VGG19_WEIGHTS.h5 [SIZE] [ITERATIONS] [CONTENT STYLE] [MODES]");
            System.exit(2);
        }
        NativeBinaries.selectForThisCpu();
        Path weights = Path.of(args[0]);
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        boolean images = args.length > 4 && !args[3].equals("-");
        INDArray content = images ? Images.read(Path.of(args[3])) : BenchmarkInputs.rgbImage(size, BenchmarkInputs.CONTENT_SEED);
        INDArray style = images ? Images.read(Path.of(args[4])) : BenchmarkInputs.rgbImage(size, BenchmarkInputs.STYLE_SEED);
        List<VggCompute> modes = new ArrayList<>();
        for (String m : (args.length > 5 ? args[5] : "AUTO,WINOGRAD,BF16").split(",")) {
            modes.add(VggCompute.valueOf(m.trim().toUpperCase(Locale.ROOT)));
        }
        if (modes.get(0) != VggCompute.AUTO) {
            modes.add(0, VggCompute.AUTO);
        }
        VggFeatureExtractor vgg = Vgg19.fromKeras(weights);
        System.out.printf(Locale.ROOT, "%s, %d px, %d L-BFGS iterations, %s images; oneDNN: %s%n", weights.getFileName(), size,
                iterations, images ? "given" : "noise", vgg.accelerated());
        double[] reference = null;
        double referenceMillis = Double.NaN;
        for (VggCompute mode : modes) {
            StyleTransfer transfer = StyleTransfer.builder().featureExtractor(vgg.withCompute(mode)).content(content)
                    .style(style).size(size).iterations(iterations).init(Initialization.content()).build();
            StyleTransferResult r = transfer.run();
            double[] totals = r.history().stream().mapToDouble(LossRecord::total).toArray();
            // time per iteration without iteration 0 (session set-up and the first evaluation)
            double millis = (r.last().elapsedMillis() - r.history().get(0).elapsedMillis()) / (double) Math.max(1, r.iterations());
            if (reference == null) {
                reference = totals;
                referenceMillis = millis;
                System.out.printf(Locale.ROOT, "%-9s loss %.6g -> %.6g after %d iterations, %.0f ms/iteration%n", mode,
                        totals[0], totals[totals.length - 1], r.iterations(), millis);
                continue;
            }
            int n = Math.min(reference.length, totals.length);
            double worst = 0;
            int worstAt = 0;
            for (int i = 0; i < n; i++) {
                double d = Math.abs(totals[i] - reference[i]) / Math.abs(reference[i]);
                if (d > worst) {
                    worst = d;
                    worstAt = i;
                }
            }
            System.out.printf(Locale.ROOT,
                    "%-9s loss %.6g -> %.6g after %d iterations, %.0f ms/iteration (%.2fx AUTO's time); "
                            + "largest deviation from AUTO's curve %.3f%% at iteration %d, final %.3f%%: %s%n",
                    mode, totals[0], totals[n - 1], r.iterations(), millis, millis / referenceMillis, 100 * worst, worstAt,
                    100 * Math.abs(totals[n - 1] - reference[n - 1]) / reference[n - 1], worst <= 0.01 ? "within 1%" : "NOT within 1%");
        }
    }
}
