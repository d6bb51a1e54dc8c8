package org.perceptual4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.vgg.TinyVgg.resource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsFormatTest {
    private static final String SUPPORTED =
            "supported: Keras HDF5 (.h5), MatConvNet MATLAB v5/v7 MAT-file (.mat), ONNX (.onnx)";

    @TempDir
    Path tmp;

    /** A copy of a test resource under a misleading name: detection must not look at names. */
    private Path renamed(String resourceName, String newName) throws IOException {
        return Files.copy(resource(resourceName), tmp.resolve(newName));
    }

    @Test
    void recognisesEachFormatByContentNotName() throws IOException {
        assertEquals(WeightsFormat.KERAS_HDF5, WeightsFormat.detect(renamed("tiny_vgg19_notop.h5", "weights.mat")));
        assertEquals(WeightsFormat.MATCONVNET, WeightsFormat.detect(renamed("matconvnet/tiny_vgg19.mat", "weights.onnx")));
        assertEquals(WeightsFormat.MATCONVNET, WeightsFormat.detect(resource("matconvnet/tiny_vgg16_old.mat")));
        assertEquals(WeightsFormat.ONNX, WeightsFormat.detect(renamed("formats/torch_conv.onnx", "weights.h5")));
        assertEquals(WeightsFormat.ONNX, WeightsFormat.detect(resource("formats/zoo_style.onnx")));
    }

    @Test
    void hdf5WithAUserBlock() throws IOException {
        byte[] h5 = Files.readAllBytes(resource("tiny_vgg19_notop.h5"));
        byte[] withBlock = new byte[512 + h5.length];
        System.arraycopy(h5, 0, withBlock, 512, h5.length);
        assertEquals(WeightsFormat.KERAS_HDF5, WeightsFormat.detect(Files.write(tmp.resolve("ub.h5"), withBlock)));
    }

    @Test
    void matlab73FilesAreHdf5AndSaidToBeUnsupported() throws IOException {
        byte[] file = new byte[1024];
        Arrays.fill(file, 0, 116, (byte) ' ');
        byte[] text = "MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Nov 23 17:00:00 2026 HDF5 schema 1.00 ."
                .getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, file, 0, text.length);
        byte[] signature = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
        System.arraycopy(signature, 0, file, 512, signature.length);
        Path f = Files.write(tmp.resolve("net.mat"), file);
        VggImportException e = assertThrows(VggImportException.class, () -> WeightsFormat.detect(f));
        assertEquals(f + ": MATLAB v7.3 MAT-file (HDF5-based), which is not supported; save the network as a v7 "
                + "MAT-file (MATLAB: save(FILE, '-struct', 'net', '-v7'), or scipy.io.savemat) or use another format ("
                + SUPPORTED + ")", e.getMessage());
    }

    @Test
    void unknownContentListsTheSupportedFormats() throws IOException {
        Path text = Files.writeString(tmp.resolve("vgg19.h5"), "this is not a weights file");
        VggImportException e = assertThrows(VggImportException.class, () -> WeightsFormat.detect(text));
        assertEquals(text + ": unrecognised weights file format (starts with 74 68 69 73 20 69 73 20); " + SUPPORTED,
                e.getMessage());
    }

    @Test
    void emptyMissingAndDirectory() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.mat"));
        VggImportException e = assertThrows(VggImportException.class, () -> WeightsFormat.detect(empty));
        assertEquals(empty + ": empty file; expected a weights file (" + SUPPORTED + ")", e.getMessage());
        Path missing = tmp.resolve("missing.h5");
        NoSuchFileException n = assertThrows(NoSuchFileException.class, () -> WeightsFormat.detect(missing));
        assertTrue(n.getMessage().contains(missing.toString()), n.getMessage());
        VggImportException d = assertThrows(VggImportException.class, () -> WeightsFormat.detect(tmp));
        assertEquals(tmp + ": not a readable file", d.getMessage());
    }

    @Test
    void onnxSniffing() throws IOException {
        byte[] onnx = Files.readAllBytes(resource("formats/torch_conv.onnx"));
        // cut inside the graph: still recognised as ONNX, the ONNX reader reports the truncation
        assertTrue(WeightsFormat.looksLikeOnnx(Arrays.copyOf(onnx, 100), onnx.length / 2));
        assertTrue(WeightsFormat.looksLikeOnnx(onnx, onnx.length));
        // ir_version alone, a wrong first field, an implausible version, a field of the wrong wire type
        assertFalse(WeightsFormat.looksLikeOnnx(new byte[] {0x08, 0x07}, 2));
        assertFalse(WeightsFormat.looksLikeOnnx(new byte[] {0x12, 0x01, 'a', 0x08, 0x07}, 5));
        assertFalse(WeightsFormat.looksLikeOnnx(new byte[] {0x08, (byte) 0xe8, 0x07, 0x12, 0x01, 'a'}, 6));
        assertFalse(WeightsFormat.looksLikeOnnx(new byte[] {0x08, 0x07, 0x10, 0x01}, 4));
        // a length past the end of the file for a field other than the graph
        assertFalse(WeightsFormat.looksLikeOnnx(new byte[] {0x08, 0x07, 0x12, 0x7f, 'a'}, 5));
        assertTrue(WeightsFormat.looksLikeOnnx(new byte[] {0x08, 0x07, 0x12, 0x01, 'a'}, 5));
    }

    @Test
    void displayNamesAreTheProvenanceFormats() {
        assertEquals("Keras HDF5", WeightsFormat.KERAS_HDF5.displayName());
        assertEquals("MatConvNet MAT", WeightsFormat.MATCONVNET.displayName());
        assertEquals("ONNX", WeightsFormat.ONNX.displayName());
    }
}
