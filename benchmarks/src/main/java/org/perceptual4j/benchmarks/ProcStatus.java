package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's resident-set figures from Linux's {@code /proc/self/status}. Hand-written: the JDK
 * exposes neither the current nor the peak RSS.
 */
final class ProcStatus {
    static final Path STATUS = Path.of("/proc/self/status");
    static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcStatus() {
    }

    /** Peak resident set size since the process started or since the last {@link #resetPeak()}. */
    static OptionalLong peakRssBytes() {
        return field(read(), "VmHWM");
    }

    /** Current resident set size. */
    static OptionalLong rssBytes() {
        return field(read(), "VmRSS");
    }

    /**
     * Resets the kernel's peak RSS (VmHWM) to the current RSS (Linux 4.0+: writing 5 to
     * {@code /proc/PID/clear_refs}).
     *
     * @return false if this kernel or file system does not allow it (the peak then counts from process start)
     */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** A field such as {@code VmHWM:   123456 kB} of a status text, in bytes; empty if absent. */
    static OptionalLong field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                if (parts.length < 2) {
                    return OptionalLong.of(value);
                }
                if (!parts[1].equalsIgnoreCase("kB")) {
                    throw new IllegalArgumentException(name + ": expected a value in kB, got '" + line + "'");
                }
                return OptionalLong.of(value * 1024);
            }
        }
        return OptionalLong.empty();
    }

    private static String read() {
        try {
            return Files.readString(STATUS, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }
}
