package org.perceptual4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
    @TempDir
    Path dir;

    @Test
    void fileProvenanceHasAbsolutePathFormatAndMd5() throws Exception {
        Path f = dir.resolve("w.h5");
        Files.write(f, "abc".getBytes(StandardCharsets.US_ASCII));
        Provenance p = Provenance.ofFile(f, "Keras HDF5");
        assertEquals(f.toAbsolutePath().toString(), p.source());
        assertEquals("Keras HDF5", p.format());
        // RFC 1321 test vector
        assertEquals("900150983cd24fb0d6963f7d28e17f72", p.md5());
        assertEquals(f.toAbsolutePath() + " (Keras HDF5, md5 900150983cd24fb0d6963f7d28e17f72)", p.toString());
    }

    @Test
    void inMemoryProvenanceHasNoChecksum() {
        Provenance p = Provenance.inMemory("random test net");
        assertNull(p.md5());
        assertEquals("random test net (in-memory)", p.toString());
    }

    @Test
    void missingFileNamesTheFile() {
        Path missing = dir.resolve("nope.onnx");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Provenance.ofFile(missing, "ONNX"));
        assertTrue(e.getMessage().contains("nope.onnx"), e.getMessage());
    }

    @Test
    void nullPartsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Provenance(null, "ONNX", null));
        assertTrue(e.getMessage().startsWith("source"), e.getMessage());
    }
}
