package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The machine a comparison ran on, from Linux's {@code /proc} files.
 *
 * @param cpuModel the {@code model name} of /proc/cpuinfo
 * @param cpuFamily {@code cpu family} and {@code model}, e.g. "26/2" (the model name may be generic in a VM)
 * @param logicalCpus number of {@code processor} entries
 * @param nominalMhz {@code cpu MHz} of the first processor (under a hypervisor usually the nominal clock)
 * @param flags the vector-related flags present, in {@link #VECTOR_FLAGS} order
 * @param memTotalMb {@code MemTotal} of /proc/meminfo
 */
record MachineInfo(String cpuModel, String cpuFamily, int logicalCpus, double nominalMhz, List<String> flags, long memTotalMb) {
    /** The flags worth reporting for floating-point throughput. */
    static final List<String> VECTOR_FLAGS = List.of("fma", "avx2", "avx512f", "avx512_bf16", "avx512_vnni", "avx512_fp16",
            "amx_tile", "amx_bf16");

    static MachineInfo read() throws IOException {
        return parse(Files.readString(Path.of("/proc/cpuinfo")), Files.readString(Path.of("/proc/meminfo")));
    }

    static MachineInfo parse(String cpuinfo, String meminfo) {
        String model = "?";
        String family = "?";
        String modelNumber = "?";
        double mhz = Double.NaN;
        Set<String> present = new LinkedHashSet<>();
        int processors = 0;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "processor" -> processors++;
                case "model name" -> model = processors == 1 ? value : model;
                case "cpu family" -> family = processors == 1 ? value : family;
                case "model" -> modelNumber = processors == 1 ? value : modelNumber;
                case "cpu MHz" -> mhz = processors == 1 ? Double.parseDouble(value) : mhz;
                case "flags" -> {
                    if (processors == 1) {
                        present.addAll(Arrays.asList(value.split("\\s+")));
                    }
                }
                default -> {
                }
            }
        }
        List<String> flags = VECTOR_FLAGS.stream().filter(present::contains).toList();
        long memKb = ProcStatus.field(meminfo, "MemTotal").orElse(0) / 1024;
        return new MachineInfo(model, family + "/" + modelNumber, processors, mhz, flags, memKb / 1024);
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }
}
