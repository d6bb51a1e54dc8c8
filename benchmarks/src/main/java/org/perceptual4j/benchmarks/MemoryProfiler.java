package org.perceptual4j.benchmarks;

import java.util.List;
import java.util.Collection;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler reporting each benchmark's peak memory as secondary results, in MB (2^20 bytes),
 * the maximum over the measurement iterations:
 *
 * <ul>
 *   <li>{@value #HEAP}: Java heap in use (sampled, and at the start of every GC);</li>
 *   <li>{@value #OFF_HEAP}: off-heap resident memory, sampled as RSS minus the committed heap (ND4J's
 *       native buffers, oneDNN scratch space, the JVM's own native memory);</li>
 *   <li>{@value #JAVACPP}: bytes tracked by JavaCPP's deallocators ({@code Pointer.totalBytes()});
 *       ND4J 1.0.0-M2.1 allocates its CPU buffers natively without registering them there, so this
 *       stays near zero for ND4J work;</li>
 *   <li>{@value #RSS}: the process's peak resident set during the iteration ({@code VmHWM} of
 *       {@code /proc/self/status}, reset before every iteration through {@code /proc/self/clear_refs}; if
 *       the kernel refuses the reset, the peak since the fork started);</li>
 *   <li>{@value #RSS_FORK}: the peak resident set since the fork started (set-up included).</li>
 * </ul>
 *
 * Use: {@code java -jar perceptual4j-benchmarks.jar -prof org.perceptual4j.benchmarks.MemoryProfiler}.
 */
public final class MemoryProfiler implements InternalProfiler {
    static final String HEAP = "mem.heap.peak";
    static final String OFF_HEAP = "mem.offheap.peak";
    static final String JAVACPP = "mem.javacpp.peak";
    static final String RSS = "mem.rss.peak";
    static final String RSS_FORK = "mem.rss.fork";
    static final long SAMPLE_MILLIS = 5;
    private static final double MB = 1024.0 * 1024.0;

    private PeakSampler sampler;
    private long forkPeakRss;

    @Override
    public String getDescription() {
        return "Peak heap, off-heap and resident memory per iteration (VmHWM, GC notifications, sampling)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        forkPeakRss = Math.max(forkPeakRss, ProcStatus.peakRssBytes().orElse(0));
        ProcStatus.resetPeak();
        sampler = PeakSampler.start(SAMPLE_MILLIS);
    }

    @Override
    @SuppressWarnings("rawtypes") // the signature of InternalProfiler
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        PeakSampler.Peaks peaks = sampler.stop();
        sampler = null;
        long rss = ProcStatus.peakRssBytes().orElse(0);
        forkPeakRss = Math.max(forkPeakRss, rss);
        return List.of(
                megabytes(HEAP, peaks.heapUsed()),
                megabytes(OFF_HEAP, peaks.offHeapResident()),
                megabytes(JAVACPP, peaks.javacppTracked()),
                megabytes(RSS, rss),
                megabytes(RSS_FORK, forkPeakRss));
    }

    private static ScalarResult megabytes(String label, long bytes) {
        return new ScalarResult(label, bytes / MB, "MB", AggregationPolicy.MAX);
    }
}
