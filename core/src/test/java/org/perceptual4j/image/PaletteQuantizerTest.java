package org.perceptual4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PaletteQuantizerTest {
    private static int distance(int a, int b) {
        int d = 0;
        for (int s = 0; s < 24; s += 8) {
            int x = ((a >> s) & 255) - ((b >> s) & 255);
            d += x * x;
        }
        return d;
    }

    @Property(tries = 200)
    void nearestIsTheExactNearestColour(@ForAll long seed, @ForAll @IntRange(min = 1, max = 256) int size) {
        Random r = new Random(seed);
        int[] palette = new int[size];
        for (int i = 0; i < size; i++) {
            palette[i] = r.nextInt(4) == 0 && i > 0 ? palette[r.nextInt(i)] : r.nextInt(1 << 24); // with duplicates
        }
        PaletteQuantizer.Nearest nearest = new PaletteQuantizer.Nearest(palette);
        for (int q = 0; q < 50; q++) {
            int c = r.nextInt(1 << 24);
            int best = 0;
            for (int i = 1; i < size; i++) {
                if (distance(palette[i], c) < distance(palette[best], c)) {
                    best = i;
                }
            }
            int found = nearest.find(c >> 16 & 255, c >> 8 & 255, c & 255);
            assertEquals(best, found, "query " + Integer.toHexString(c));
            assertEquals(distance(palette[best], c), nearest.lastDistance());
        }
    }

    @Test
    void imagesWithAtMost256ColoursAreExact() {
        Random r = new Random(1);
        int[] colours = new int[256];
        for (int i = 0; i < 256; i++) {
            colours[i] = r.nextInt(1 << 24);
        }
        int[] rgb = new int[1000];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = colours[r.nextInt(256)] | 0xff000000;
        }
        PaletteQuantizer.Result q = new PaletteQuantizer(false).quantize(rgb, 40);
        for (int i = 0; i < rgb.length; i++) {
            assertEquals(rgb[i] & 0xffffff, q.palette()[q.indices()[i] & 0xff]);
        }
    }

    @Test
    void medianCutGivesTheRequestedNumberOfDistinctColoursWhenThereAreEnough() {
        Random r = new Random(2);
        int[] samples = new int[5000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = r.nextInt(1 << 24);
        }
        int[] palette = PaletteQuantizer.medianCut(samples, 256);
        assertEquals(256, palette.length);
        Set<Integer> distinct = new HashSet<>();
        for (int p : palette) {
            distinct.add(p);
        }
        assertTrue(distinct.size() > 250, distinct.size() + " distinct colours");
        // two colours only: two boxes, each exactly one colour
        int[] two = {0x102030, 0x102030, 0xa0b0c0, 0xa0b0c0, 0xa0b0c0};
        assertArrayEquals(new int[] {0x102030, 0xa0b0c0}, PaletteQuantizer.medianCut(two, 256));
    }

    @Test
    void manyColoursAreReducedTo256WithSmallError() {
        Random r = new Random(3);
        int w = 64;
        int[] rgb = new int[w * w];
        for (int y = 0; y < w; y++) {
            for (int x = 0; x < w; x++) {
                int red = x * 4;
                int green = y * 4;
                int blue = Math.min(255, (x + y) * 2 + r.nextInt(3));
                rgb[y * w + x] = red << 16 | green << 8 | blue;
            }
        }
        PaletteQuantizer.Result q = new PaletteQuantizer(false).quantize(rgb, w);
        assertTrue(q.palette().length <= 256);
        double se = 0;
        for (int i = 0; i < rgb.length; i++) {
            se += distance(rgb[i], q.palette()[q.indices()[i] & 0xff]);
        }
        double psnr = 10 * Math.log10(255.0 * 255 / (se / rgb.length / 3));
        assertTrue(psnr > 35, "PSNR " + psnr);
    }
}
