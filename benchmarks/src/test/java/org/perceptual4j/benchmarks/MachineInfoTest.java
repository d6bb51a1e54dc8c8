package org.perceptual4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MachineInfoTest {
    private static final String PROCESSOR = "processor\t: %d\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\n"
            + "model name\t: AMD EPYC\ncpu MHz\t\t: 2596.120\nflags\t\t: fpu sse2 fma avx2 avx512f avx512bw avx512_bf16 avx512_vnni\n\n";

    @Test
    void parsesTheFirstProcessorAndCountsAll() {
        MachineInfo m = MachineInfo.parse(String.format(PROCESSOR, 0) + String.format(PROCESSOR, 1),
                "MemTotal:       24684164 kB\nMemFree:        1 kB\n");
        assertEquals("AMD EPYC", m.cpuModel());
        assertEquals("26/2", m.cpuFamily());
        assertEquals(2, m.logicalCpus());
        assertEquals(2596.12, m.nominalMhz(), 1e-9);
        assertEquals(List.of("fma", "avx2", "avx512f", "avx512_bf16", "avx512_vnni"), m.flags());
        assertEquals(24684164L / 1024, m.memTotalMb());
        assertTrue(m.has("avx512f"));
        assertFalse(m.has("amx_tile"));
    }

    @Test
    void thisMachineIsReadable() throws Exception {
        MachineInfo m = MachineInfo.read();
        assertEquals(Runtime.getRuntime().availableProcessors(), m.logicalCpus());
        assertTrue(m.memTotalMb() > 0);
    }
}
