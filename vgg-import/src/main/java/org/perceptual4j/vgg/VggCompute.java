package org.perceptual4j.vgg;

/**
 * How a {@link VggFeatureExtractor} computes its features and their gradients.
 *
 * <p>The oneDNN modes call oneDNN directly (through the JavaCPP presets {@code org.bytedeco:dnnl});
 * they need its natives on the class path and ND4J on the CPU backend. Where either is missing they
 * fall back to {@link #SAMEDIFF}, decided once per process; {@link VggFeatureExtractor#accelerated()}
 * says which path runs. See the user guide, "Speed".
 */
public enum VggCompute {
    /**
     * The default: oneDNN fp32 direct convolutions when available, else SameDiff. Matches SameDiff
     * (and PyTorch) to float32 rounding.
     */
    AUTO,
    /**
     * oneDNN fp32 Winograd F(4x4, 3x3) convolutions where oneDNN implements them (channel counts that
     * are multiples of 16), direct ones elsewhere: measured 1.4x faster than {@link #AUTO} per step at
     * 256 px (slower at 128 px), with rounding that differs from AUTO's as much as another fp32
     * implementation's (see the user guide, "Speed", for the measured effect).
     */
    WINOGRAD,
    /**
     * oneDNN with bfloat16 activations, gradients and weights and fp32 accumulation, on CPUs with
     * AVX512_BF16 (elsewhere as {@link #AUTO}). Measured 1.3-1.7x faster than {@link #AUTO}; bf16 keeps
     * about three significant digits, and 100 L-BFGS iterations end 2-3% above fp32's loss (ten times the
     * difference between two fp32 implementations), so it is an opt-in for previews, never the default.
     */
    BF16,
    /** Always ND4J SameDiff: runs on every backend; the reference the oneDNN modes are tested against. */
    SAMEDIFF
}
