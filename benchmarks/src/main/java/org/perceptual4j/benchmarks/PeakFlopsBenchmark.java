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
 * fused multiply-adds on the JVM's preferred vectors (512-bit with AVX-512), enough to hide the FMA
 * latency on current x86 cores; each call does {@link Flops#fmaPerCall(int)} floating-point operations
 * for the vector width {@link #main} prints. One thread per core by default; {@code -t 1} for one core.
 * Hand-written with the incubating Vector API because no library measures this; the species must be a
 * constant for the JIT to emit vector instructions (passed as an argument it runs ~100x slower).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(Threads.MAX)
@Fork(value = 1, jvmArgsAppend = {PeakFlopsBenchmark.ADD_VECTOR_MODULE})
public class PeakFlopsBenchmark {
    static final String ADD_VECTOR_MODULE = "--add-modules=jdk.incubator.vector";
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Prints {@code VECTOR_BITS=n}, the width {@link #fma} computes with on this JVM and CPU. */
    public static void main(String[] args) {
        System.out.println("VECTOR_BITS=" + SPECIES.vectorBitSize());
    }

    @Benchmark
    public float fma() {
        FloatVector m = FloatVector.broadcast(SPECIES, 0.999999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 1.0f);
        FloatVector a1 = FloatVector.broadcast(SPECIES, 1.1f);
        FloatVector a2 = FloatVector.broadcast(SPECIES, 1.2f);
        FloatVector a3 = FloatVector.broadcast(SPECIES, 1.3f);
        FloatVector a4 = FloatVector.broadcast(SPECIES, 1.4f);
        FloatVector a5 = FloatVector.broadcast(SPECIES, 1.5f);
        FloatVector a6 = FloatVector.broadcast(SPECIES, 1.6f);
        FloatVector a7 = FloatVector.broadcast(SPECIES, 1.7f);
        FloatVector a8 = FloatVector.broadcast(SPECIES, 1.8f);
        FloatVector a9 = FloatVector.broadcast(SPECIES, 1.9f);
        FloatVector a10 = FloatVector.broadcast(SPECIES, 2.0f);
        FloatVector a11 = FloatVector.broadcast(SPECIES, 2.1f);
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
