package org.perceptual4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class NativeBinariesTest {

    @Test
    void detectsAvx512FromCpuFlags() {
        assertTrue(NativeBinaries.cpuFlagsHaveAvx512("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512bw\n"));
        assertFalse(NativeBinaries.cpuFlagsHaveAvx512("processor\t: 0\nflags\t\t: fpu sse avx2 avx512_vnni_x\n"));
        assertFalse(NativeBinaries.cpuFlagsHaveAvx512("no flags line"));
    }

    @Test
    void backendLoadsWithTheSelectedBinaries() {
        // the launcher listener has run: the property names the variant for this CPU
        String ext = System.getProperty(NativeBinaries.EXTENSION_PROPERTY);
        assertEquals(NativeBinaries.hasAvx512() ? "-onednn-avx512" : NativeBinaries.PLAIN_FALLBACK, ext);
        assertEquals(6.0, Nd4j.createFromArray(1f, 2f, 3f).sumNumber().doubleValue(), 1e-6);
    }
}
