package org.perceptual4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final MachineInfo MACHINE = new MachineInfo("AMD EPYC", "26/2", 2, 2500, List.of("fma", "avx2", "avx512f"), 24000);
    private static final Report.Peak PEAK = new Report.Peak(512, 2, 300, 160);

    private static Report report(List<Report.Row> rows) {
        return new Report(new Report.RunInfo("2025-01-01T00:00:00Z", "abc123 (main)", "settings", "1.00, 2.00, 3.00", "4.00, 5.00, 6.00"),
                MACHINE, Map.of("java", "OpenJDK 17", "nd4j_library", "/cache/x/linux-x86_64-onednn-avx512/libnd4jcpu.so"),
                Map.of("torch", "1.13"), PEAK, rows);
    }

    private static Measurement ms(double mean, double sd) {
        return new Measurement(mean, sd, mean - sd, 5, 1000, 50, 900);
    }

    @Test
    void theComparisonRowHasTimesRatioAndMemory() {
        Workload w = Workload.all(List.of(), List.of(256), List.of()).get(0);
        String md = report(List.of(new Report.Row(w, ms(1000, 100), new Measurement(500, 25, 480, 5, 800, Double.NaN, Double.NaN))))
                .markdown();
        // ratio 2, relative deviation hypot(0.1, 0.05) = 0.1118; best iterations 900 / 480
        assertTrue(md.contains("| " + w.label() + " | 1000 ± 100 | 500 ± 25.0 | 2.00 ± 0.22 | 1.88 | 1000 (50, 900) | 800 |"), md);
        assertTrue(md.contains("binaries linux-x86_64-onednn-avx512"), md);
        assertTrue(md.contains("before: 1.00, 2.00, 3.00; after: 4.00, 5.00, 6.00"), md);
        assertTrue(md.contains("(no AMX)"), md);
    }

    @Test
    void scalingIsTimePerMegapixel() {
        List<Workload> steps = Workload.all(List.of(), List.of(512, 1024), List.of());
        String md = report(List.of(new Report.Row(steps.get(0), ms(2621.44, 1), ms(1310.72, 1)),
                new Report.Row(steps.get(1), ms(10485.76, 1), ms(5242.88, 1)))).markdown();
        assertTrue(md.contains("| 512² | 0.262 | 10000 | 5000 |"), md);
        assertTrue(md.contains("| 1024² | 1.049 | 10000 | 5000 |"), md);
    }

    @Test
    void flopRatesAreFractionsOfTheLargerPeak() {
        Workload gram = Workload.all(List.of(), List.of(), List.of()).stream().filter(w -> w.id().equals(Workload.GRAM)).findFirst().orElseThrow();
        double flops = gram.flops(); // 2·64²·512² = 2.147 GFLOP
        // 2.147 GFLOP in 21.47 ms = 100 GFLOP/s; peak = max(300, 2 × 160) = 320
        String md = report(List.of(new Report.Row(gram, ms(flops / 1e8, 1), ms(flops / 2e8, 1)))).markdown();
        assertTrue(md.contains("| " + gram.label() + " | 2.15 | 100 | 31.3 | 200 | 62.5 |"), md);
        assertTrue(md.contains("Fractions below are of 320 GFLOP/s"), md);
        assertTrue(md.contains("2 × 2 × 16 × 2 × 2.50 GHz = 320 GFLOP/s"), md);
        assertTrue(md.contains("effective clock of 2.50 GHz"), md);
    }

    @Test
    void workloadsWithoutFlopCountAreLeftOutOfTheRateTable() {
        Workload lbfgs = Workload.all(List.of(), List.of(), List.of()).stream().filter(w -> w.id().equals(Workload.LBFGS_STEP)).findFirst()
                .orElseThrow();
        String md = report(List.of(new Report.Row(lbfgs, ms(100, 10), null))).markdown();
        String rates = md.substring(md.indexOf("| workload | GFLOP per call"));
        assertFalse(rates.contains(lbfgs.label()), rates);
        assertTrue(md.contains("| " + lbfgs.label() + " | 100 ± 10.0 | – | – | – |"), md);
    }

    @Test
    void theGeneratedPartIsReplacedBetweenTheMarkersOfItsSection() {
        String doc = "# Performance\n\nintro\n\n" + Report.begin("main") + "\nold table\n" + Report.end("main") + "\n\n"
                + Report.begin("large") + "\nold large\n" + Report.end("large") + "\nreading\n";
        String updated = Report.replaceGenerated(doc, "main", "new table\n\n");
        assertEquals("# Performance\n\nintro\n\n" + Report.begin("main") + "\nnew table\n" + Report.end("main") + "\n\n"
                + Report.begin("large") + "\nold large\n" + Report.end("large") + "\nreading\n", updated);
        assertEquals(updated, Report.replaceGenerated(updated, "main", "new table"));
        assertTrue(Report.replaceGenerated(updated, "large", "new large").contains("new table"));
        assertTrue(Report.replaceGenerated(updated, "large", "new large").contains("\nnew large\n" + Report.end("large")));
    }

    @Test
    void missingMarkersAndBadSectionsAreReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Report.replaceGenerated("no markers", "main", "x"));
        assertTrue(e.getMessage().endsWith("got no begin marker"), e.getMessage());
        IllegalArgumentException swapped = assertThrows(IllegalArgumentException.class,
                () -> Report.replaceGenerated(Report.end("main") + Report.begin("main"), "main", "x"));
        assertTrue(swapped.getMessage().endsWith("got the end marker first"), swapped.getMessage());
        IllegalArgumentException section = assertThrows(IllegalArgumentException.class, () -> Report.begin("Main Table"));
        assertEquals("section: expected lower-case letters, digits and '-', got 'Main Table'", section.getMessage());
    }

    @Test
    void numbersKeepThreeSignificantFigures() {
        assertEquals("1235", Report.number(1234.6));
        assertEquals("12.3", Report.number(12.34));
        assertEquals("1.23", Report.number(1.234));
        assertEquals("0.0123", Report.number(0.01234));
        assertEquals("?", Report.number(Double.NaN));
    }
}
