package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.optim.Evaluation;
import org.perceptual4j.style.StyleTransfer;

/**
 * Writes what PyTorch needs to recompute the benchmarked style-transfer objective, and what this
 * library computed, so that {@code torch_bench.py check} can verify both sides time the same thing:
 * {@code content.npy}, {@code style.npy}, {@code x.npy} (network space), {@code gradient.npy} and
 * {@code terms.txt} (each weighted term and {@code total}). Also prints the ND4J environment as
 * {@code ENV key=value} lines.
 *
 * <p>Usage: {@code java -cp perceptual4j-benchmarks.jar org.perceptual4j.benchmarks.ObjectiveCheck WEIGHTS SIZE OUT_DIR}
 * (OUT_DIR must not exist; it appears complete or not at all).
 */
public final class ObjectiveCheck {
    private ObjectiveCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: ObjectiveCheck WEIGHTS.h5 SIZE OUT_DIR");
            System.exit(2);
        }
        System.setProperty(BenchmarkInputs.WEIGHTS_PROPERTY, args[0]);
        int size = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        if (Files.exists(out)) {
            throw new IllegalArgumentException("OUT_DIR: expected a path that does not exist yet, got " + out.toAbsolutePath());
        }
        FeatureExtractor vgg = BenchmarkInputs.vgg19();
        StyleTransfer config = BenchmarkInputs.styleTransfer(vgg, size);
        INDArray x = config.initialPoint();
        Evaluation e = config.objective().evaluate(x);
        ImageConvention convention = vgg.imageConvention();

        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, out.getFileName() + ".tmp");
        try {
            writeNumpy(tmp.resolve("content.npy"), convention.toNetwork(BenchmarkInputs.rgbImage(size, BenchmarkInputs.CONTENT_SEED)));
            writeNumpy(tmp.resolve("style.npy"), convention.toNetwork(BenchmarkInputs.rgbImage(size, BenchmarkInputs.STYLE_SEED)));
            writeNumpy(tmp.resolve("x.npy"), x);
            writeNumpy(tmp.resolve("gradient.npy"), e.gradient());
            Map<String, Double> terms = new LinkedHashMap<>(e.components());
            terms.put("total", e.value());
            StringBuilder text = new StringBuilder();
            terms.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.writeString(tmp.resolve("terms.txt"), text, StandardCharsets.UTF_8);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteRecursively(tmp);
        }
        environment().forEach((k, v) -> System.out.println("ENV " + k + "=" + v));
    }

    /** What ND4J runs on: the native binaries loaded, its BLAS and thread counts. */
    static Map<String, String> environment() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("nd4j_extension", String.valueOf(System.getProperty(NativeBinaries.EXTENSION_PROPERTY)));
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            env.put("nd4j_library", maps.filter(l -> l.contains("libnd4jcpu.so")).map(l -> l.substring(l.indexOf('/')))
                    .findFirst().orElse("?"));
        }
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        for (String key : new String[] {"backend", "blas.vendor", "blas.threads", "omp.threads", "cores"}) {
            env.put("nd4j_" + key.replace('.', '_'), String.valueOf(info.get(key)));
        }
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return env;
    }

    private static void writeNumpy(Path file, INDArray array) throws IOException {
        try (OutputStream os = Files.newOutputStream(file)) {
            Nd4j.writeAsNumpy(array, os);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
