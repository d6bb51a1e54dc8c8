package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs every workload with JMH and with PyTorch (torch_bench.py) on the same weights in the same
 * run, workload by workload (alternating which side goes first, so that a change in the machine's
 * load hits both), after checking that both compute the same objective; prints one Markdown report
 * and optionally writes it into docs/performance.md. Started by {@code benchmarks/compare.sh}.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Times Perceptual4J (JMH) and PyTorch on the same workloads and prints one table.")
public final class Compare implements Callable<Integer> {
    private static final Pattern OPENBLAS_CORE = Pattern.compile("Core: (\\S+)");

    @Option(names = "--weights", required = true, description = "Keras VGG19 weights file (random weights are fine)")
    Path weights;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (default: ${DEFAULT-VALUE})")
    String python;

    @Option(names = "--script", required = true, description = "torch_bench.py")
    Path script;

    @Option(names = "--work", required = true, description = "directory for logs, the objective check and the report")
    Path work;

    @Option(names = "--threads", description = "threads for PyTorch (default: the CPU count, as ND4J uses)")
    Integer threads;

    @Option(names = "--feature-sizes", split = ",", defaultValue = "256,512",
            description = "image sides of the features workload (default: ${DEFAULT-VALUE})")
    List<Integer> featureSizes;

    @Option(names = "--step-sizes", split = ",", defaultValue = "128,256,512,1024",
            description = "image sides of the style step (default: ${DEFAULT-VALUE})")
    List<Integer> stepSizes;

    @Option(names = "--transform-sizes", split = ",", defaultValue = "512,1024",
            description = "image sides of the transform-network inference (default: ${DEFAULT-VALUE})")
    List<Integer> transformSizes;

    @Option(names = "--only", description = "regular expression on workload keys (e.g. 'style_step@256|gram')")
    Pattern only;

    @Option(names = "--warmup", defaultValue = "2", description = "warm-up iterations per workload (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--iterations", defaultValue = "5", description = "measurement iterations (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--time", defaultValue = "5", description = "seconds per iteration, at least one call (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--native-limit", defaultValue = BenchmarkInputs.DEFAULT_NATIVE_LIMIT,
            description = "JavaCPP's maxphysicalbytes for the benchmark forks: above it a GC frees ND4J's native garbage "
                    + "(default: ${DEFAULT-VALUE}); lower it on a machine short of memory")
    String nativeLimit;

    @Option(names = "--check-size", defaultValue = "128", description = "image side of the objective check (default: ${DEFAULT-VALUE})")
    int checkSize;

    @Option(names = "--revision", defaultValue = "?", description = "what is measured, e.g. the output of git describe")
    String revision;

    @Option(names = "--update-doc", description = "write the report between the markers of this file (docs/performance.md)")
    Path updateDoc;

    @Option(names = "--section", defaultValue = "main",
            description = "which generated section of --update-doc to replace (default: ${DEFAULT-VALUE})")
    String section;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Compare()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (updateDoc != null) {
            Report.replaceGenerated(Files.readString(updateDoc), section, ""); // fails now, not after an hour, if the markers are missing
        }
        Files.createDirectories(work);
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String stamp = started.replace(":", "");
        String loadBefore = loadAverage();
        MachineInfo machine = MachineInfo.read();
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();

        progress("PyTorch environment");
        Map<String, String> torchEnv = torchEnvironment(n);
        progress("objective check at " + checkSize + "²");
        Map<String, String> javaEnv = checkObjective(n, stamp);
        progress("FMA peak");
        Report.Peak peak = peak(n, stamp);
        List<Report.Row> rows = measure(n, stamp);

        String settings = String.format(Locale.ROOT,
                "%d warm-up and %d measurement iterations of at least %d s per workload and side, %d threads, "
                        + "one JVM fork / Python process per workload, JVM heap %s, JavaCPP maxphysicalbytes %s", warmup,
                iterations, seconds, n, BenchmarkInputs.FORK_HEAP_MAX.substring(4), nativeLimit);
        Report report = new Report(new Report.RunInfo(started, revision, settings, loadBefore, loadAverage()), machine, javaEnv,
                torchEnv, peak, rows);
        String md = report.markdown();
        Path out = work.resolve("results-" + stamp + ".md");
        writeAtomically(out, md);
        System.out.println();
        System.out.println(md);
        progress("report written to " + out);
        if (updateDoc != null) {
            writeAtomically(updateDoc, Report.replaceGenerated(Files.readString(updateDoc), section, md));
            progress("updated " + updateDoc);
        }
        return 0;
    }

    /** torch_bench.py env: versions, BLAS (fails unless OpenBLAS), and the OpenBLAS kernels chosen. */
    private Map<String, String> torchEnvironment(int n) throws IOException, InterruptedException {
        List<String> out = run(python(List.of("env", "--threads", Integer.toString(n))), true, "torch_bench.py env");
        Map<String, String> env = ToolOutput.singleFields(out, "ENV");
        env.put("openblas_core", openBlasCore(out));
        return env;
    }

    /** Dumps the objective from Java and has PyTorch recompute it (fails loudly if they differ); returns ND4J's environment. */
    private Map<String, String> checkObjective(int n, String stamp) throws IOException, InterruptedException {
        Path dir = work.resolve("check-" + stamp);
        List<String> out = run(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"), ObjectiveCheck.class.getName(),
                weights.toString(), Integer.toString(checkSize), dir.toString()), true, "ObjectiveCheck");
        Map<String, String> env = ToolOutput.singleFields(out, "ENV");
        env.put("openblas_core", openBlasCore(out));
        env.put("openblas_coretype", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset"));
        List<String> check = run(python(List.of("check", "--weights", weights.toString(), "--dir", dir.toString(),
                "--threads", Integer.toString(n))), false, "torch_bench.py check");
        check.stream().filter(l -> l.startsWith("CHECK")).forEach(l -> progress("  " + l));
        return env;
    }

    /** Every selected workload on both sides, alternating which goes first; the L-BFGS objective becomes a subtrahend. */
    private List<Report.Row> measure(int n, String stamp) throws IOException, InterruptedException, RunnerException {
        List<Report.Row> rows = new ArrayList<>();
        Map<String, Report.Row> byKey = new LinkedHashMap<>();
        boolean javaFirst = true;
        for (Workload w : Workload.all(featureSizes, stepSizes, transformSizes)) {
            if (only != null && !only.matcher(w.key()).find()) {
                continue;
            }
            progress(w.label());
            Measurement ours;
            Measurement torch;
            if (javaFirst) {
                ours = jmh(w, stamp);
                torch = torch(w, n);
            } else {
                torch = torch(w, n);
                ours = jmh(w, stamp);
            }
            javaFirst = !javaFirst;
            progress(String.format(Locale.ROOT, "  Perceptual4J %s ms, PyTorch %s ms (load average %s)", Report.time(ours),
                    Report.time(torch), loadAverage()));
            Report.Row row = new Report.Row(w, ours, torch);
            byKey.put(w.key(), row);
            if (!w.id().equals(Workload.LBFGS_OBJECTIVE)) {
                rows.add(row);
            }
        }
        Report.Row step = byKey.get(Workload.LBFGS_STEP);
        Report.Row objective = byKey.get(Workload.LBFGS_OBJECTIVE);
        if (step != null && objective != null) {
            Workload overhead = new Workload("lbfgs_overhead", "L-BFGS step overhead (step − objective), 3×512², history 100",
                    LbfgsStepBenchmark.class, "step", 0, Double.NaN);
            rows.add(new Report.Row(overhead, step.java().minus(objective.java()), step.torch().minus(objective.torch())));
        }
        return rows;
    }

    private Report.Peak peak(int n, String stamp) throws IOException, InterruptedException, RunnerException {
        List<String> out = run(List.of(javaBinary(), PeakFlopsBenchmark.ADD_VECTOR_MODULE, "-cp", System.getProperty("java.class.path"),
                PeakFlopsBenchmark.class.getName()), true, "PeakFlopsBenchmark"); // merged: the JVM's incubator warning stays out of the log
        int bits = Integer.parseInt(out.stream().filter(l -> l.startsWith("VECTOR_BITS=")).findFirst()
                .orElseThrow(() -> new IllegalStateException("PeakFlopsBenchmark printed no VECTOR_BITS: " + out)).substring(12));
        double all = bestRate(n, stamp, bits);
        double one = n == 1 ? all : bestRate(1, stamp, bits);
        return new Report.Peak(bits, n, all, one);
    }

    private double bestRate(int threadCount, String stamp, int bits) throws RunnerException {
        RunResult r = new Runner(new OptionsBuilder()
                .include("^" + Pattern.quote(PeakFlopsBenchmark.class.getName() + ".fma") + "$")
                .threads(threadCount)
                .output(work.resolve("jmh-" + stamp + "-fma-t" + threadCount + ".log").toString())
                .build()).runSingle();
        Statistics s = r.getPrimaryResult().getStatistics();
        return threadCount * Flops.fmaPerCall(bits) / s.getMin() / 1e6;   // ms per call -> GFLOP/s
    }

    private Measurement jmh(Workload w, String stamp) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(w.jmhInclude())
                .forks(1)
                .warmupIterations(warmup)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .addProfiler(MemoryProfiler.class)
                .jvmArgsPrepend("-D" + BenchmarkInputs.WEIGHTS_PROPERTY + "=" + weights.toAbsolutePath())
                // replaces the annotation's arguments, so the heap settings are repeated
                .jvmArgsAppend(BenchmarkInputs.FORK_HEAP_MIN, BenchmarkInputs.FORK_HEAP_MAX, BenchmarkInputs.FORK_PRETOUCH,
                        "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + nativeLimit)
                .shouldFailOnError(true)
                .output(work.resolve("jmh-" + stamp + "-" + w.key().replace('@', '-') + ".log").toString());
        w.jmhParams().forEach(o::param);
        RunResult r = new Runner(o.build()).runSingle();
        Statistics s = r.getPrimaryResult().getStatistics();
        return new Measurement(s.getMean(), s.getN() > 1 ? s.getStandardDeviation() : Double.NaN, s.getMin(), (int) s.getN(),
                score(r, MemoryProfiler.RSS), score(r, MemoryProfiler.HEAP), score(r, MemoryProfiler.OFF_HEAP));
    }

    private Measurement torch(Workload w, int n) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("run", "--workload", w.id(), "--threads", Integer.toString(n),
                "--warmup", Integer.toString(warmup), "--iterations", Integer.toString(iterations),
                "--time", Integer.toString(seconds), "--weights", weights.toString()));
        if (w.size() > 0) {
            args.addAll(List.of("--size", Integer.toString(w.size())));
        }
        List<String> out = run(python(args), false, "torch_bench.py run " + w.key());
        return ToolOutput.torchMeasurement(ToolOutput.fields(out, "RESULT")
                .orElseThrow(() -> new IllegalStateException("torch_bench.py printed no RESULT line for " + w.key() + ": " + out)));
    }

    private List<String> python(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(args);
        return cmd;
    }

    /** Runs a child process; its stderr joins stdout if {@code merge}, else goes to ours. Fails loudly on a non-zero exit. */
    private static List<String> run(List<String> command, boolean merge, String what) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (merge) {
            pb.redirectErrorStream(true);
            pb.environment().put("OPENBLAS_VERBOSE", "2"); // OpenBLAS then names the kernels it chose
        } else {
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process p = pb.start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(what + " failed with exit status " + exit + ":\n" + String.join("\n", lines));
        }
        return lines;
    }

    private static String openBlasCore(List<String> lines) {
        for (String line : lines) {
            Matcher m = OPENBLAS_CORE.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        return "?";
    }

    /** A secondary result's score, NaN if the profiler did not report it. */
    private static double score(RunResult run, String label) {
        var result = run.getSecondaryResults().get(label); // JMH's map holds raw Result
        return result == null ? Double.NaN : result.getScore();
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + ", " + parts[1] + ", " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void progress(String message) {
        System.err.println("[compare] " + message);
    }
}
