package org.perceptual4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcStatusTest {
    private static final String STATUS = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t   65432 kB\nThreads:\t42\n";

    @Test
    void fieldsInKilobytesBecomeBytes() {
        assertEquals(OptionalLong.of(123456L * 1024), ProcStatus.field(STATUS, "VmHWM"));
        assertEquals(OptionalLong.of(65432L * 1024), ProcStatus.field(STATUS, "VmRSS"));
    }

    @Test
    void fieldsWithoutUnitAreRaw() {
        assertEquals(OptionalLong.of(42), ProcStatus.field(STATUS, "Threads"));
    }

    @Test
    void aMissingFieldIsEmpty() {
        assertEquals(OptionalLong.empty(), ProcStatus.field(STATUS, "VmSwap"));
        assertEquals(OptionalLong.empty(), ProcStatus.field(STATUS, "VmHW")); // a prefix is not the field
    }

    @Test
    void anUnexpectedUnitIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcStatus.field("VmHWM: 12 MB\n", "VmHWM"));
        assertTrue(e.getMessage().contains("expected a value in kB, got 'VmHWM: 12 MB'"), e.getMessage());
    }

    @Test
    void thisProcessHasAResidentSetNoLargerThanItsPeak() {
        long rss = ProcStatus.rssBytes().orElseThrow();
        long peak = ProcStatus.peakRssBytes().orElseThrow();
        assertTrue(rss > 0 && rss <= peak, rss + " / " + peak);
    }
}
