package org.perceptual4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The fallback really loads the plain x86-64 binaries: checked in a fresh JVM through /proc/self/maps. */
class NativeBinariesFallbackTest {

    /** Entry point of the child JVM: prints the sum 6.0 and the path of the loaded libnd4jcpu.so. */
    public static void main(String[] args) throws IOException {
        System.out.println(Nd4j.createFromArray(1f, 2f, 3f).sumNumber());
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains("libnd4jcpu.so")) {
                System.out.println(line.substring(line.indexOf('/')));
                return;
            }
        }
    }

    @Test
    void fallbackExtensionLoadsThePlainBuild() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-D" + NativeBinaries.EXTENSION_PROPERTY + "=" + NativeBinaries.PLAIN_FALLBACK,
                NativeBinariesFallbackTest.class.getName()).redirectErrorStream(false).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.exitValue(), "child JVM failed: " + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("6.0", out.get(0));
        assertTrue(out.get(1).contains("/linux-x86_64/libnd4jcpu.so"), "loaded " + out.get(1));
    }
}
