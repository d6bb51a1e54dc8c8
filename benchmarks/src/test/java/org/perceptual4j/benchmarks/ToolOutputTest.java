package org.perceptual4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ToolOutputTest {
    private static final List<String> OUTPUT = List.of(
            "Core: Haswell",
            "ENV torch=1.13.0a0",
            "ENV blas_library=/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3;/x y.so",
            "RESULT workload=style_step size=256 mean_ms=512.5 sd_ms=12.25 min_ms=498 n=5 rss_peak_mb=2048.5 rss_fork_mb=2100",
            "RESULT workload=ignored size=0 mean_ms=1 sd_ms=1 min_ms=1 n=1 rss_peak_mb=1 rss_fork_mb=1");

    @Test
    void theFirstResultLineBecomesAMeasurement() {
        Map<String, String> fields = ToolOutput.fields(OUTPUT, "RESULT").orElseThrow();
        assertEquals("style_step", fields.get("workload"));
        Measurement m = ToolOutput.torchMeasurement(fields);
        assertEquals(new Measurement(512.5, 12.25, 498, 5, 2048.5, Double.NaN, Double.NaN), m);
    }

    @Test
    void envValuesRunToTheEndOfTheLine() {
        Map<String, String> env = ToolOutput.singleFields(OUTPUT, "ENV");
        assertEquals(Map.of("torch", "1.13.0a0", "blas_library", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3;/x y.so"), env);
    }

    @Test
    void pythonsNanIsNotANumber() {
        Measurement m = ToolOutput.torchMeasurement(ToolOutput.parse("mean_ms=3 sd_ms=nan min_ms=3 n=1 rss_peak_mb=10"));
        assertTrue(Double.isNaN(m.sdMs()));
        assertEquals(1, m.iterations());
    }

    @Test
    void aMissingTagIsEmpty() {
        assertEquals(Optional.empty(), ToolOutput.fields(OUTPUT, "CHECK"));
    }

    @Test
    void malformedFieldsAreReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ToolOutput.parse("mean_ms=1 oops"));
        assertTrue(e.getMessage().contains("expected key=value, got 'oops'"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ToolOutput.torchMeasurement(ToolOutput.parse("mean_ms=1")));
        assertTrue(missing.getMessage().startsWith("expected a field sd_ms"), missing.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ToolOutput.torchMeasurement(ToolOutput.parse("mean_ms=fast sd_ms=1 min_ms=1 n=1 rss_peak_mb=1")));
        assertEquals("mean_ms: expected a number, got 'fast'", bad.getMessage());
    }
}
