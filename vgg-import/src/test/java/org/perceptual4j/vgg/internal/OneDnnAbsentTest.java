package org.perceptual4j.vgg.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.core.FeatureSession;
import org.perceptual4j.core.internal.SameDiffFeatureSession;
import org.perceptual4j.vgg.TinyVgg;
import org.perceptual4j.vgg.VggFeatureExtractor;

/**
 * Without the dnnl natives on the class path the extractor falls back to SameDiff by itself: checked
 * in a child JVM whose class path lacks the {@code dnnl} and {@code opencl} platform jars.
 */
class OneDnnAbsentTest {

    /** Entry point of the child JVM: prints whether oneDNN is used, why not, and the session's results. */
    public static void main(String[] args) {
        NativeBinaries.selectForThisCpu();
        VggFeatureExtractor vgg = TinyVgg.vgg19();
        System.out.println(vgg.accelerated());
        System.out.println(OneDnn.unavailableReason());
        long[] shape = {1, 3, 32, 40};
        INDArray x = Nd4j.rand(DataType.FLOAT, shape).muli(100);
        List<String> layers = List.of("relu2_1", "relu4_2");
        try (FeatureSession s = vgg.openSession(layers, shape);
                FeatureSession reference = new SameDiffFeatureSession(vgg, layers, shape)) {
            System.out.println(s.getClass().getSimpleName());
            Map<String, INDArray> f = s.forward(x);
            Map<String, INDArray> r = reference.forward(x);
            INDArray g = s.backward(f);
            INDArray expected = reference.backward(r);
            System.out.println(g.equalsWithEps(expected, 1e-6) && f.get("relu4_2").equalsWithEps(r.get("relu4_2"), 1e-6));
        }
        System.out.println(vgg.features(Nd4j.rand(DataType.FLOAT, shape), layers).get("relu2_1").shape()[1]);
    }

    @Test
    void fallsBackToSameDiffWithoutTheNatives() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.matches(".*(dnnl|opencl)-[^/]*-linux-x86_64\\.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(classPath.length() < System.getProperty("java.class.path").length(), "the natives were on the class path");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath, OneDnnAbsentTest.class.getName()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child JVM timed out");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.exitValue(), "child JVM failed: " + err);
        assertEquals("false", out.get(0), "accelerated");
        assertTrue(out.get(1).contains("org.bytedeco:dnnl"), "reason: " + out.get(1));
        assertEquals("SameDiffFeatureSession", out.get(2));
        assertEquals("true", out.get(3), "same results as SameDiff");
        assertEquals("8", out.get(4), "features() works");
    }
}
