package org.perceptual4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StyleSpecTest {
    @Test
    void windowsPathWithDriveLetterIsAFileName() {
        StyleSpec s = StyleSpec.parse("C:\\img\\s.jpg");
        assertEquals(Path.of("C:\\img\\s.jpg"), s.file());
        assertEquals(1.0, s.weight());
    }

    @Test
    void colonInFileNameIsKeptWhenNoNumberFollows() {
        StyleSpec s = StyleSpec.parse("a:b.png");
        assertEquals(Path.of("a:b.png"), s.file());
        assertEquals(1.0, s.weight());
    }

    @Test
    void weightAfterLastColon() {
        StyleSpec s = StyleSpec.parse("s.png:0.5");
        assertEquals(Path.of("s.png"), s.file());
        assertEquals(0.5, s.weight());
        assertEquals(new StyleSpec(Path.of("C:\\img\\s.jpg"), 2.0), StyleSpec.parse("C:\\img\\s.jpg:2"));
        assertEquals(new StyleSpec(Path.of("a:b.png"), 0.25), StyleSpec.parse("a:b.png:.25"));
        assertEquals(new StyleSpec(Path.of("x.png"), 0.0), StyleSpec.parse("x.png:0"));
        assertEquals(new StyleSpec(Path.of("x.png"), 1e-3), StyleSpec.parse("x.png:1e-3"));
    }

    @Test
    void plainFileName() {
        assertEquals(new StyleSpec(Path.of("dir/s.png"), 1.0), StyleSpec.parse("dir/s.png"));
        // not plain decimal numbers: part of the name
        assertEquals(Path.of("s.png:1f"), StyleSpec.parse("s.png:1f").file());
        assertEquals(Path.of("s.png:NaN"), StyleSpec.parse("s.png:NaN").file());
        assertEquals(Path.of("s.png:"), StyleSpec.parse("s.png:").file());
        // nothing before the colon: a file name
        assertEquals(Path.of(":0.5"), StyleSpec.parse(":0.5").file());
    }

    @Test
    void negativeWeightIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StyleSpec.parse("s.png:-0.5"));
        assertTrue(e.getMessage().contains("-0.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StyleSpec.parse(""));
    }

    @Test
    void layerListsWithWeights() {
        assertEquals(Map.of("relu4_2", 1.0), LayerWeights.parse("relu4_2").weights());
        LayerWeights l = LayerWeights.parse("relu1_1:0.5, relu2_1 ,block3_conv1:2");
        assertEquals(List.of("relu1_1", "relu2_1", "block3_conv1"), List.copyOf(l.weights().keySet()));
        assertEquals(List.of(0.5, 1.0, 2.0), List.copyOf(l.weights().values()));
        assertTrue(LayerWeights.parse("").weights().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> LayerWeights.parse("relu1_1:-1"));
        assertThrows(IllegalArgumentException.class, () -> LayerWeights.parse("relu1_1:x"));
        assertThrows(IllegalArgumentException.class, () -> LayerWeights.parse("relu1_1,,relu2_1"));
        assertThrows(IllegalArgumentException.class, () -> LayerWeights.parse("relu1_1,relu1_1"));
        assertThrows(IllegalArgumentException.class, () -> LayerWeights.parse(":1"));
    }
}
