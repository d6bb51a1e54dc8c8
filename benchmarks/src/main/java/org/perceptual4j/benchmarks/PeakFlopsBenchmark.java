package org.perceptual4j.benchmarks;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU's measured peak single-precision rate: {@value Flops#FMA_CHAINS} independent chains of
 * vector fused multiply-adds (enough to hide the FMA latency on every current x86 core), each call
 * {@link Flops#fmaFlopsPerCall(int)} floating-point operations. {@code fma512} uses 512-bit vectors
 * (AVX-512), {@code fma256} 256-bit ones (AVX2); run with {@code -t 1} for one core and, by default,
 * one thread per core. Hand-written with the incubating Vector API because no library measures this.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(Threads.MAX)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class PeakFlopsBenchmark {
    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;

    @Benchmark
    public float fma512() {
        FloatVector m = FloatVector.broadcast(S512, 0.999999f);
        FloatVector c = FloatVector.broadcast(S512, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S512, 1.0f);
        FloatVector a1 = FloatVector.broadcast(S512, 1.1f);
        FloatVector a2 = FloatVector.broadcast(S512, 1.2f);
        FloatVector a3 = FloatVector.broadcast(S512, 1.3f);
        FloatVector a4 = FloatVector.broadcast(S512, 1.4f);
        FloatVector a5 = FloatVector.broadcast(S512, 1.5f);
        FloatVector a6 = FloatVector.broadcast(S512, 1.6f);
        FloatVector a7 = FloatVector.broadcast(S512, 1.7f);
        FloatVector a8 = FloatVector.broadcast(S512, 1.8f);
        FloatVector a9 = FloatVector.broadcast(S512, 1.9f);
        FloatVector a10 = FloatVector.broadcast(S512, 2.0f);
        FloatVector a11 = FloatVector.broadcast(S512, 2.1f);
        for (int i = 0; i < Flops.FMA_ITERATIONS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    public float fma256() {
        FloatVector m = FloatVector.broadcast(S256, 0.999999f);
        FloatVector c = FloatVector.broadcast(S256, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S256, 1.0f);
        FloatVector a1 = FloatVector.broadcast(S256, 1.1f);
        FloatVector a2 = FloatVector.broadcast(S256, 1.2f);
        FloatVector a3 = FloatVector.broadcast(S256, 1.3f);
        FloatVector a4 = FloatVector.broadcast(S256, 1.4f);
        FloatVector a5 = FloatVector.broadcast(S256, 1.5f);
        FloatVector a6 = FloatVector.broadcast(S256, 1.6f);
        FloatVector a7 = FloatVector.broadcast(S256, 1.7f);
        FloatVector a8 = FloatVector.broadcast(S256, 1.8f);
        FloatVector a9 = FloatVector.broadcast(S256, 1.9f);
        FloatVector a10 = FloatVector.broadcast(S256, 2.0f);
        FloatVector a11 = FloatVector.broadcast(S256, 2.1f);
        for (int i = 0; i < Flops.FMA_ITERATIONS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
