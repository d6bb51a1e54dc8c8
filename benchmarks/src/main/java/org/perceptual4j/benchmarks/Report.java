package org.perceptual4j.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a comparison run as Markdown: the machine, the comparison table, scaling and FLOP rates. */
final class Report {
    private static final java.util.regex.Pattern SECTION = java.util.regex.Pattern.compile("[a-z0-9-]+");

    /** One workload on both sides; {@code torch} may be null if only Java ran it. */
    record Row(Workload workload, Measurement java, Measurement torch) {
    }

    /**
     * The measured FMA peak.
     *
     * @param vectorBits vector width the peak was measured with
     * @param threads threads of the all-cores measurement
     * @param allCoresGflops best all-cores rate
     * @param oneCoreGflops best single-thread rate
     */
    record Peak(int vectorBits, int threads, double allCoresGflops, double oneCoreGflops) {
        int lanes() {
            return vectorBits / 32;
        }

        /**
         * The rate fractions are taken of: the better of the all-cores measurement and one core's rate
         * times the thread count (on a shared machine the all-cores figure is the likelier to be depressed
         * by other processes; the larger peak gives the smaller, more conservative fractions).
         */
        double referenceGflops() {
            return Math.max(allCoresGflops, threads * oneCoreGflops);
        }
    }

    /**
     * How the run was made.
     *
     * @param started start time, ISO-8601 UTC
     * @param revision the Perceptual4J revision measured (e.g. git describe), or "?"
     * @param settings warm-up / measurement settings and thread count, as text
     * @param loadBefore /proc/loadavg at the start
     * @param loadAfter /proc/loadavg at the end
     */
    record RunInfo(String started, String revision, String settings, String loadBefore, String loadAfter) {
    }

    private final RunInfo run;
    private final MachineInfo machine;
    private final Map<String, String> javaEnv;
    private final Map<String, String> torchEnv;
    private final Peak peak;
    private final List<Row> rows;

    Report(RunInfo run, MachineInfo machine, Map<String, String> javaEnv, Map<String, String> torchEnv, Peak peak, List<Row> rows) {
        this.run = run;
        this.machine = machine;
        this.javaEnv = javaEnv;
        this.torchEnv = torchEnv;
        this.peak = peak;
        this.rows = List.copyOf(rows);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("Run ").append(run.started()).append(", Perceptual4J ").append(run.revision()).append(". ")
                .append(run.settings()).append(". Load average (1, 5, 15 min) before: ").append(run.loadBefore())
                .append("; after: ").append(run.loadAfter()).append(".\n\n");
        machine(md);
        comparison(md);
        scaling(md);
        flops(md);
        return md.toString();
    }

    private void machine(StringBuilder md) {
        md.append("| machine | |\n|---|---|\n");
        md.append("| CPU | ").append(machine.cpuModel()).append(" (family/model ").append(machine.cpuFamily()).append("), ")
                .append(machine.logicalCpus()).append(" logical CPUs, ").append(fmt("%.0f", machine.nominalMhz()))
                .append(" MHz in /proc/cpuinfo |\n");
        md.append("| vector flags | ").append(String.join(" ", machine.flags()))
                .append(machine.has("amx_tile") ? "" : " (no AMX)").append(" |\n");
        md.append("| memory | ").append(machine.memTotalMb()).append(" MB |\n");
        md.append("| JVM | ").append(javaEnv.getOrDefault("java", "?")).append(" |\n");
        md.append("| ND4J | backend ").append(javaEnv.getOrDefault("nd4j_backend", "?")).append(", binaries ")
                .append(classifier(javaEnv.getOrDefault("nd4j_library", "?"))).append(", BLAS ")
                .append(javaEnv.getOrDefault("nd4j_blas_vendor", "?")).append(", OMP threads ")
                .append(javaEnv.getOrDefault("nd4j_omp_threads", "?")).append(", BLAS threads ")
                .append(javaEnv.getOrDefault("nd4j_blas_threads", "?")).append(" |\n");
        md.append("| PyTorch | ").append(torchEnv.getOrDefault("torch", "?")).append(", threads ")
                .append(torchEnv.getOrDefault("torch_threads", "?")).append(", oneDNN ")
                .append(torchEnv.getOrDefault("torch_mkldnn", "?")).append(", BLAS ")
                .append(torchEnv.getOrDefault("blas_library", "?")).append(" (").append(torchEnv.getOrDefault("openblas_core", "?"))
                .append(" kernels; 2048² sgemm ").append(torchEnv.getOrDefault("sgemm_2048_gflops", "?")).append(" GFLOP/s) |\n");
        md.append("| OPENBLAS_CORETYPE | ").append(javaEnv.getOrDefault("openblas_coretype", "unset")).append(" |\n\n");
    }

    private void comparison(StringBuilder md) {
        md.append("| workload | Perceptual4J ms | PyTorch ms | ratio Perceptual4J / PyTorch | ratio of the best iterations "
                + "| Perceptual4J peak RSS MB (heap, off-heap) | PyTorch peak RSS MB |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append("| ").append(r.workload().label()).append(" | ").append(time(r.java())).append(" | ")
                    .append(r.torch() == null ? "–" : time(r.torch())).append(" | ").append(ratio(r)).append(" | ")
                    .append(r.torch() == null ? "–" : fmt("%.2f", r.java().minMs() / r.torch().minMs())).append(" | ")
                    .append(fmt("%.0f", r.java().rssPeakMb()));
            if (!Double.isNaN(r.java().heapPeakMb())) {
                md.append(" (").append(fmt("%.0f", r.java().heapPeakMb())).append(", ")
                        .append(fmt("%.0f", r.java().offHeapPeakMb())).append(")");
            }
            md.append(" | ").append(r.torch() == null ? "–" : fmt("%.0f", r.torch().rssPeakMb())).append(" |\n");
        }
        md.append("\nTimes are mean ± standard deviation over the measurement iterations. A ratio below 1 means "
                + "Perceptual4J is faster; its ± combines both deviations. The ratio of the best iterations (each side's "
                + "fastest) is the less disturbed by other load on a shared machine. Peak RSS is the whole process "
                + "(runtime, weights and inputs included) during the measurement.\n\n");
    }

    private void scaling(StringBuilder md) {
        List<Row> steps = rows.stream().filter(r -> r.workload().id().equals(Workload.STYLE_STEP)).toList();
        if (steps.isEmpty()) {
            return;
        }
        md.append("| style step | megapixels | Perceptual4J ms per megapixel | PyTorch ms per megapixel |\n");
        md.append("|---|---:|---:|---:|\n");
        for (Row r : steps) {
            double mp = r.workload().megapixels();
            md.append("| ").append(r.workload().size()).append("² | ").append(fmt("%.3f", mp)).append(" | ")
                    .append(number(r.java().meanMs() / mp)).append(" | ")
                    .append(r.torch() == null ? "–" : number(r.torch().meanMs() / mp)).append(" |\n");
        }
        md.append("\nLinear scaling in the pixel count means a constant time per megapixel.\n\n");
    }

    private void flops(StringBuilder md) {
        double theoretical = machine.logicalCpus() * 2.0 * peak.lanes() * 2 * machine.nominalMhz() / 1000;
        double clockGhz = peak.oneCoreGflops() / (2.0 * peak.lanes() * 2);
        md.append("Measured peak: ").append(fmt("%.0f", peak.allCoresGflops())).append(" GFLOP/s single precision on ")
                .append(peak.threads()).append(" threads (").append(fmt("%.0f", peak.oneCoreGflops()))
                .append(" GFLOP/s on one), ").append(peak.vectorBits()).append("-bit FMA chains, best iteration ")
                .append("(PeakFlopsBenchmark). With two ").append(peak.vectorBits()).append("-bit FMA units per core, one core's rate ")
                .append("means an effective clock of ").append(fmt("%.2f", clockGhz)).append(" GHz; the formula ")
                .append("cores × FMA units × lanes × 2 at the ").append(fmt("%.0f", machine.nominalMhz()))
                .append(" MHz of /proc/cpuinfo gives ").append(machine.logicalCpus()).append(" × 2 × ").append(peak.lanes())
                .append(" × 2 × ").append(fmt("%.2f", machine.nominalMhz() / 1000)).append(" GHz = ")
                .append(fmt("%.0f", theoretical)).append(" GFLOP/s. Fractions below are of ")
                .append(fmt("%.0f", peak.referenceGflops())).append(" GFLOP/s, the larger of the all-threads rate and ")
                .append(peak.threads()).append(" × the one-thread rate.\n\n");
        md.append("| workload | GFLOP per call | Perceptual4J GFLOP/s | % of peak | PyTorch GFLOP/s | % of peak |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            double f = r.workload().flops();
            if (Double.isNaN(f)) {
                continue;
            }
            double javaRate = f / r.java().meanMs() / 1e6;
            md.append("| ").append(r.workload().label()).append(" | ").append(number(f / 1e9)).append(" | ")
                    .append(number(javaRate)).append(" | ").append(fmt("%.1f", 100 * javaRate / peak.referenceGflops()))
                    .append(" | ");
            if (r.torch() == null) {
                md.append("– | – |\n");
            } else {
                double torchRate = f / r.torch().meanMs() / 1e6;
                md.append(number(torchRate)).append(" | ").append(fmt("%.1f", 100 * torchRate / peak.referenceGflops())).append(" |\n");
            }
        }
        md.append('\n');
    }

    /** The marker opening a generated section of docs/performance.md. */
    static String begin(String section) {
        return "<!-- results:" + checkSection(section) + ":begin (generated by benchmarks/compare.sh; do not edit by hand) -->";
    }

    /** The marker closing a generated section. */
    static String end(String section) {
        return "<!-- results:" + checkSection(section) + ":end -->";
    }

    /** Replaces the text between the markers of a section in a document. */
    static String replaceGenerated(String document, String section, String generated) {
        String begin = begin(section);
        String end = end(section);
        int b = document.indexOf(begin);
        int e = document.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("expected the markers '" + begin + "' and '" + end + "' in this order, got "
                    + (b < 0 ? "no begin marker" : e < 0 ? "no end marker" : "the end marker first"));
        }
        return document.substring(0, b + begin.length()) + "\n" + generated.strip() + "\n" + document.substring(e);
    }

    private static String checkSection(String section) {
        if (section == null || !SECTION.matcher(section).matches()) {
            throw new IllegalArgumentException("section: expected lower-case letters, digits and '-', got '" + section + "'");
        }
        return section;
    }

    static String time(Measurement m) {
        return Double.isNaN(m.sdMs()) ? number(m.meanMs()) : number(m.meanMs()) + " ± " + number(m.sdMs());
    }

    static String ratio(Row r) {
        if (r.torch() == null) {
            return "–";
        }
        double ratio = r.java().meanMs() / r.torch().meanMs();
        double rel = Math.hypot(r.java().sdMs() / r.java().meanMs(), r.torch().sdMs() / r.torch().meanMs());
        return Double.isNaN(rel) ? fmt("%.2f", ratio) : fmt("%.2f", ratio) + " ± " + fmt("%.2f", ratio * rel);
    }

    /** Three significant figures, or at least the integer part. */
    static String number(double v) {
        double a = Math.abs(v);
        if (Double.isNaN(v)) {
            return "?";
        }
        if (a >= 100) {
            return fmt("%.0f", v);
        }
        return a >= 10 ? fmt("%.1f", v) : a >= 1 ? fmt("%.2f", v) : fmt("%.3g", v);
    }

    private static String classifier(String libraryPath) {
        List<String> parts = new ArrayList<>(List.of(libraryPath.split("/")));
        return parts.size() >= 2 ? parts.get(parts.size() - 2) : libraryPath;
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
