package org.perceptual4j.vgg.internal;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether oneDNN, called directly through the JavaCPP presets {@code org.bytedeco:dnnl}, can run in
 * this process: decided once, on first use, without changing any process-wide setting. It needs the
 * presets' natives ({@code dnnl} and {@code opencl} with the platform classifier, e.g.
 * {@code linux-x86_64}) on the class path and ND4J on a CPU backend (ND4J's own oneDNN is linked
 * statically into its binaries with hidden symbols, so it cannot be called).
 */
public final class OneDnn {
    private OneDnn() {
    }

    /** Lazy holder: the natives are loaded the first time anyone asks. */
    private static final class State {
        static final engine ENGINE;
        static final String PROBLEM;
        static final boolean BF16;

        static {
            engine e = null;
            String problem = null;
            boolean bf16 = false;
            try {
                if (!Nd4j.getEnvironment().isCPU()) {
                    problem = "ND4J does not run on the CPU backend (" + Nd4j.getBackend().getClass().getSimpleName() + ")";
                } else {
                    Loader.load(dnnl.class);
                    e = new engine(engine.kind.cpu, 0);
                    // AVX512_BF16 or newer: bf16 convolutions with fp32 accumulation run natively
                    // cpu_isa values are bit masks: the effective ISA includes avx512_core_bf16's bits
                    int bits = dnnl.cpu_isa.avx512_core_bf16.value;
                    bf16 = (dnnl.dnnl_get_effective_cpu_isa() & bits) == bits;
                }
            } catch (LinkageError | RuntimeException ex) {
                problem = "oneDNN natives (org.bytedeco:dnnl and org.bytedeco:opencl with the platform classifier) not usable: " + ex;
                e = null;
            }
            ENGINE = e;
            PROBLEM = problem;
            BF16 = bf16;
        }
    }

    /** True if oneDNN primitives can be created and run here. */
    public static boolean available() {
        return State.ENGINE != null;
    }

    /** Why {@link #available()} is false, or {@code null} if it is true. */
    public static String unavailableReason() {
        return State.PROBLEM;
    }

    /** True if this CPU runs bf16 convolutions natively (AVX512_BF16). */
    public static boolean nativeBf16() {
        return available() && State.BF16;
    }

    /** The CPU engine, shared (oneDNN engines are thread-safe). */
    static engine engine() {
        if (State.ENGINE == null) {
            throw new IllegalStateException(State.PROBLEM);
        }
        return State.ENGINE;
    }
}
