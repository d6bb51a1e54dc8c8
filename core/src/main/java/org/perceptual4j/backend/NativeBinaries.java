package org.perceptual4j.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Chooses which of ND4J's native CPU binaries JavaCPP loads, for applications that ship both the
 * {@code linux-x86_64-onednn-avx512} and the plain {@code linux-x86_64} classifiers of
 * {@code nd4j-native} (as this project's CLI, tests and benchmarks do).
 *
 * <p>JavaCPP prefers the AVX-512 build whenever it is on the class path, and that build fails on a CPU
 * without AVX-512. {@link #selectForThisCpu()} sets the system property
 * {@code org.bytedeco.javacpp.platform.extension} so that such a CPU gets the plain build instead.
 * It changes a process-wide setting, so the library never calls it itself: an application calls it
 * once at start-up, before the first ND4J call. A property already set by the user wins.
 */
public final class NativeBinaries {
    /** The JavaCPP system property naming the binary variant to load. */
    public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** A variant name ND4J's presets accept but for which no jar is shipped, so JavaCPP loads the plain build. */
    static final String PLAIN_FALLBACK = "-compat";

    private NativeBinaries() {
    }

    /**
     * Picks the oneDNN AVX-512 binaries when the CPU has AVX-512F, and the plain x86-64 ones otherwise.
     *
     * @return the extension chosen ("-onednn-avx512" or the fallback), or the user's own setting
     */
    public static String selectForThisCpu() {
        String preset = System.getProperty(EXTENSION_PROPERTY);
        if (preset != null && !preset.isEmpty()) {
            return preset;
        }
        String chosen = hasAvx512() ? "-onednn-avx512" : PLAIN_FALLBACK;
        System.setProperty(EXTENSION_PROPERTY, chosen);
        return chosen;
    }

    /** True if this is an x86-64 Linux CPU that reports the avx512f flag. */
    public static boolean hasAvx512() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return false;
        }
        Path cpuinfo = Path.of("/proc/cpuinfo");
        try {
            return Files.isReadable(cpuinfo) && cpuFlagsHaveAvx512(Files.readString(cpuinfo));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static boolean cpuFlagsHaveAvx512(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("flags")) {
                for (String flag : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
                    if (flag.equals("avx512f")) {
                        return true;
                    }
                }
                return false;
            }
        }
        return false;
    }
}
