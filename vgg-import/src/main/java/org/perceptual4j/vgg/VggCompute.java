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
     * are multiples of 16), direct ones elsewhere: about twice as fast as {@link #AUTO} for VGG19, with
     * slightly larger rounding errors (see the user guide, "Speed", for the measured effect).
     */
    WINOGRAD,
    /**
     * oneDNN with bfloat16 activations, gradients and weights and fp32 accumulation, on CPUs with
     * AVX512_BF16 (elsewhere as {@link #AUTO}). About twice as fast as {@link #AUTO}; bf16 keeps about
     * three significant digits, so features and gradients differ from fp32 by about 1%.
     */
    BF16,
    /** Always ND4J SameDiff: runs on every backend; the reference the oneDNN modes are tested against. */
    SAMEDIFF
}
