package org.perceptual4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.results.Result;

/** The profiler sees heap, JavaCPP, ND4J native and resident memory allocated during an iteration. */
class MemoryProfilerTest {
    private static final double MB = 1024 * 1024;

    @Test
    void reportsEveryFigure() {
        assertEquals(Set.of(MemoryProfiler.HEAP, MemoryProfiler.OFF_HEAP, MemoryProfiler.JAVACPP, MemoryProfiler.RSS,
                MemoryProfiler.RSS_FORK), iteration(new MemoryProfiler(), () -> { }).keySet());
    }

    @Test
    void heapAllocatedDuringAnIterationIsSeen() {
        byte[][] keep = new byte[1][];
        Map<String, Double> r = iteration(new MemoryProfiler(), () -> {
            keep[0] = new byte[(int) (100 * MB)];
            keep[0][keep[0].length - 1] = 1;
        });
        assertTrue(r.get(MemoryProfiler.HEAP) >= 100, () -> "heap " + r);
        assertTrue(r.get(MemoryProfiler.RSS) >= 512, () -> "the pre-touched 512 MB heap is resident: " + r);
        assertEquals(1, keep[0][keep[0].length - 1]);
    }

    /** Off-heap and RSS are compared with an empty iteration: the committed heap (subtracted from RSS) stays put. */
    @Test
    void nativeMemoryAllocatedDuringAnIterationIsSeen() {
        MemoryProfiler profiler = new MemoryProfiler();
        Map<String, Double> before = iteration(profiler, () -> { });
        INDArray[] nd4j = new INDArray[1];
        FloatPointer[] javacpp = new FloatPointer[1];
        Map<String, Double> after = iteration(profiler, () -> {
            nd4j[0] = Nd4j.create(DataType.FLOAT, 64, 1024, 1024).assign(1); // 256 MB native, touched
            javacpp[0] = new FloatPointer(16L * 1024 * 1024).fill(1);         // 64 MB tracked by JavaCPP, touched
        });
        try {
            assertTrue(after.get(MemoryProfiler.JAVACPP) - before.get(MemoryProfiler.JAVACPP) >= 64, () -> before + " -> " + after);
            assertTrue(after.get(MemoryProfiler.OFF_HEAP) - before.get(MemoryProfiler.OFF_HEAP) >= 300, () -> before + " -> " + after);
            assertTrue(after.get(MemoryProfiler.RSS) - before.get(MemoryProfiler.RSS) >= 300, () -> before + " -> " + after);
            assertTrue(after.get(MemoryProfiler.RSS_FORK) >= after.get(MemoryProfiler.RSS), () -> after.toString());
        } finally {
            javacpp[0].close();
            nd4j[0].close();
        }
    }

    @SuppressWarnings("rawtypes") // InternalProfiler returns raw Results
    private static Map<String, Double> iteration(MemoryProfiler profiler, Runnable work) {
        profiler.beforeIteration(null, null);
        work.run();
        sleep(4 * MemoryProfiler.SAMPLE_MILLIS); // a few samples
        Collection<? extends Result> results = profiler.afterIteration(null, null, null);
        Map<String, Double> scores = new HashMap<>();
        for (Result r : results) {
            assertEquals("MB", r.getScoreUnit(), r.getLabel());
            scores.put(r.getLabel(), r.getScore());
        }
        return scores;
    }

    @Test
    void theResidentPeakIsPerIteration() {
        MemoryProfiler profiler = new MemoryProfiler();
        double first = iteration(profiler, () -> new FloatPointer(128L * 1024 * 1024).fill(1).close()).get(MemoryProfiler.RSS); // 512 MB
        if (!ProcStatus.resetPeak()) {
            return; // kernel without clear_refs: the peak counts from the start of the process, nothing to check
        }
        double second = iteration(profiler, () -> { }).get(MemoryProfiler.RSS);
        assertTrue(second < first - 256, () -> "after a reset the peak should drop: " + first + " then " + second);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
