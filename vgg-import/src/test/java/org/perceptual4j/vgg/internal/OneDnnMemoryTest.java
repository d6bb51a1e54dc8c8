package org.perceptual4j.vgg.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.core.FeatureSession;
import org.perceptual4j.vgg.TinyVgg;
import org.perceptual4j.vgg.VggFeatureExtractor;

/**
 * Sessions release their native memory, and steps allocate none that stays: resident memory measured
 * in a child JVM over many sessions and many steps. The child runs with glibc's mmap threshold fixed at
 * 128 KB, so every large block is returned to the system when freed and the resident size shows live
 * memory (by default glibc raises the threshold and keeps freed blocks, which looks like growth); it
 * collects garbage before each reading, since ND4J and JavaCPP free small objects only then.
 */
class OneDnnMemoryTest {

    /** Child JVM: resident MB after every 10 sessions of 2 steps, then after 150 steps of one session. */
    public static void main(String[] args) throws Exception {
        NativeBinaries.selectForThisCpu();
        VggFeatureExtractor vgg = TinyVgg.vgg19();
        long[] shape = {1, 3, 128, 128};
        INDArray x = Nd4j.rand(DataType.FLOAT, shape).muli(100);
        List<String> layers = List.of("conv1_1", "relu1_1", "pool1", "relu2_2", "relu3_1", "relu4_2", "conv5_1", "relu5_1");
        StringBuilder out = new StringBuilder();
        for (int round = 0; round <= 40; round++) {
            if (round % 10 == 0) {
                out.append(residentMb()).append(' ');
            }
            try (FeatureSession s = vgg.openSession(layers, shape)) {
                for (int step = 0; step < 2; step++) {
                    s.backward(s.forward(x)).close();
                }
            }
        }
        out.append('\n');
        try (FeatureSession s = vgg.openSession(layers, shape)) {
            for (int step = 0; step <= 150; step++) {
                if (step % 50 == 0) {
                    out.append(residentMb()).append(' ');
                }
                s.backward(s.forward(x)).close();
            }
        }
        System.out.println(out);
    }

    private static long residentMb() throws Exception {
        System.gc();
        Thread.sleep(100);
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void sessionsAndStepsLeaveNoNativeMemoryBehind() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs Linux /proc");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), OneDnnMemoryTest.class.getName());
        pb.environment().put("MALLOC_MMAP_THRESHOLD_", "131072");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM timed out");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.exitValue(), "child JVM failed: " + err);
        long[] sessions = Arrays.stream(out.get(0).trim().split(" ")).mapToLong(Long::parseLong).toArray();
        long[] steps = Arrays.stream(out.get(1).trim().split(" ")).mapToLong(Long::parseLong).toArray();
        // one session here holds about 10 MB: a leaked session would add 300 MB over the last 30, a leaked
        // gradient per step 30 MB over the last 100 steps
        assertTrue(sessions[sessions.length - 1] - sessions[1] < 20 && steps[steps.length - 1] - steps[1] < 15,
                "resident MB after every 10 sessions " + Arrays.toString(sessions) + ", every 50 steps " + Arrays.toString(steps));
    }
}
