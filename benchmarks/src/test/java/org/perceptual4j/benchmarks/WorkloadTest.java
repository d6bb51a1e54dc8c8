package org.perceptual4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Every workload selects a benchmark JMH generated, so a rename cannot silently drop it from the comparison. */
class WorkloadTest {
    private static final OutputFormat SILENT = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);

    @Test
    void everyWorkloadSelectsExactlyOneGeneratedBenchmarkWithItsSize() {
        List<Workload> all = Workload.all(List.of(256, 512), List.of(128, 256, 512, 1024), List.of(512, 1024));
        for (Workload w : all) {
            SortedSet<BenchmarkListEntry> found = BenchmarkList.defaultList().find(SILENT, List.of(w.jmhInclude()), List.of());
            assertEquals(1, found.size(), () -> w.jmhInclude() + " selects " + found);
            BenchmarkListEntry entry = found.first();
            assertEquals(w.benchmarkClass().getName() + "." + w.method(), entry.getUsername());
            if (w.size() > 0) {
                assertTrue(entry.getParams().hasValue(), () -> entry + " has no parameters");
                String[] sizes = entry.getParams().get().get("size");
                assertTrue(Arrays.asList(sizes).contains(Integer.toString(w.size())), () -> entry + " sizes " + Arrays.toString(sizes));
            }
        }
        assertEquals(all.size(), all.stream().map(Workload::key).collect(Collectors.toSet()).size(), "unique keys");
        assertEquals(Set.of("style_step@128", "style_step@1024", "transform_net@1024"),
                all.stream().map(Workload::key).filter(k -> k.endsWith("@128") || k.endsWith("@1024")).collect(Collectors.toSet()));
    }

    @Test
    void theIncludePatternDoesNotMatchLongerNames() {
        Workload step = Workload.all(List.of(), List.of(), List.of()).stream().filter(w -> w.id().equals(Workload.LBFGS_STEP)).findFirst()
                .orElseThrow();
        Pattern include = Pattern.compile(step.jmhInclude());
        assertTrue(include.matcher(LbfgsStepBenchmark.class.getName() + ".step").find());
        assertFalse(include.matcher(LbfgsStepBenchmark.class.getName() + ".stepTwo").find());
    }
}
