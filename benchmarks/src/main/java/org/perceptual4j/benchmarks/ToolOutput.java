package org.perceptual4j.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses the {@code TAG key=value key=value} lines that torch_bench.py and {@link ObjectiveCheck} print. */
final class ToolOutput {
    private ToolOutput() {
    }

    /**
     * The fields of the first line starting with {@code tag + " "}. A line may hold several
     * space-separated {@code key=value} pairs, or one pair whose value runs to the end of the line
     * (as {@code ENV} lines do, whose values may contain spaces).
     */
    static Optional<Map<String, String>> fields(List<String> lines, String tag) {
        for (String line : lines) {
            if (line.startsWith(tag + " ")) {
                return Optional.of(parse(line.substring(tag.length() + 1)));
            }
        }
        return Optional.empty();
    }

    /** All {@code TAG key=value} lines merged, each value running to the end of its line. */
    static Map<String, String> singleFields(List<String> lines, String tag) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.startsWith(tag + " ")) {
                String pair = line.substring(tag.length() + 1);
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
        }
        return out;
    }

    /** {@code key=value key=value ...} (values without spaces). */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String token : text.trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + token + "' in '" + text + "'");
            }
            out.put(token.substring(0, eq), token.substring(eq + 1));
        }
        return out;
    }

    /** A PyTorch {@code RESULT} line's measurement (no heap or off-heap figures on that side). */
    static Measurement torchMeasurement(Map<String, String> result) {
        return new Measurement(number(result, "mean_ms"), number(result, "sd_ms"), number(result, "min_ms"),
                (int) number(result, "n"), number(result, "rss_peak_mb"), Double.NaN, Double.NaN);
    }

    private static double number(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("expected a field " + key + ", got " + fields);
        }
        if (v.equalsIgnoreCase("nan")) {
            return Double.NaN; // Python's spelling, e.g. the deviation of a single iteration
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": expected a number, got '" + v + "'", e);
        }
    }
}
