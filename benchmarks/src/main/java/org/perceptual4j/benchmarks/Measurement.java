package org.perceptual4j.benchmarks;

/**
 * One workload's timing and memory on one side of the comparison. Times are in milliseconds per
 * call: the mean and sample standard deviation over measurement iterations (each iteration's score
 * being its mean time per call, as JMH's AverageTime mode), and the best iteration. Memory in MB
 * (2^20 bytes); {@code NaN} where a side does not report a figure.
 *
 * @param meanMs mean over iterations
 * @param sdMs standard deviation over iterations (NaN for a single iteration)
 * @param minMs the fastest iteration
 * @param iterations number of measurement iterations
 * @param rssPeakMb peak resident set of the process during the measurement
 * @param heapPeakMb peak Java heap in use (Java only)
 * @param offHeapPeakMb peak off-heap resident memory (Java only)
 */
record Measurement(double meanMs, double sdMs, double minMs, int iterations, double rssPeakMb, double heapPeakMb,
        double offHeapPeakMb) {

    /** {@code this - other}, for a time measured with and without a part (standard deviations added in quadrature). */
    Measurement minus(Measurement other) {
        return new Measurement(meanMs - other.meanMs, Math.hypot(sdMs, other.sdMs), minMs - other.minMs,
                Math.min(iterations, other.iterations), rssPeakMb, heapPeakMb, offHeapPeakMb);
    }
}
