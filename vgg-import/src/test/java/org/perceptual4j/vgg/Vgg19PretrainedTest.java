package org.perceptual4j.vgg;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptual4j.vgg.download.WeightsCache;
import org.perceptual4j.vgg.download.WeightsFile;
import org.perceptual4j.vgg.download.WeightsUnavailableException;

/** pretrained() goes through the cache; offline and without the file it says where to put it. */
class Vgg19PretrainedTest {
    @TempDir
    Path cacheDir;

    @Test
    void offlineWithoutTheFileExplainsWhatToDo() {
        WeightsCache cache = WeightsCache.builder().directory(cacheDir).offline(true).build();
        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> Vgg19.pretrained(cache));
        String m = e.getMessage();
        assertTrue(m.contains(WeightsFile.VGG19_NOTOP.url().toString()), m);
        assertTrue(m.contains(cacheDir.resolve(WeightsFile.VGG19_NOTOP.fileName()).toString()), m);
        assertTrue(m.contains("--weights") && m.contains("Vgg19.fromKeras"), m);
        assertTrue(m.contains("offline"), m);
    }
}
