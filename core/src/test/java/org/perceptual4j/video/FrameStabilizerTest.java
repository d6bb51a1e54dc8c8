package org.perceptual4j.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.perceptual4j.testing.SyntheticVideo;

class FrameStabilizerTest {
    private static final int H = 64;
    private static final int W = 64;
    /** Per-frame input noise: Gaussian, standard deviation 0.01 (about 2.5 of 255 levels). */
    private static final double NOISE = 0.01;
    private static final StandInStylizer NET = new StandInStylizer(42, 8, true);

    private static float[] scene() {
        return SyntheticVideo.scene(H, W);
    }

    /** {@code frames} frames of the scene with independent noise, and a white square moving right if {@code speed > 0}. */
    private static List<INDArray> video(int frames, int speed, long seed) {
        return SyntheticVideo.frames(H, W, frames, NOISE, speed, seed);
    }

    private static List<INDArray> apply(UnaryOperator<INDArray> op, List<INDArray> frames) {
        List<INDArray> out = new ArrayList<>();
        for (INDArray f : frames) {
            out.add(op.apply(f));
        }
        return out;
    }

    private static double meanAbsDiff(INDArray a, INDArray b) {
        return Transforms.abs(a.sub(b), false).meanNumber().doubleValue();
    }

    private static INDArray crop(INDArray a, int x0, int x1, int y0, int y1) {
        INDArrayIndex[] idx = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(y0, y1), NDArrayIndex.interval(x0, x1)};
        return a.get(idx);
    }

    // ---- flicker on a static scene ----

    @Test
    void stabilizingAStaticNoisySceneCutsFlicker() {
        List<INDArray> frames = video(12, 0, 2);
        double input = FrameStabilizer.flicker(frames);
        double plain = FrameStabilizer.flicker(apply(NET, frames));
        List<INDArray> stabilized = apply(FrameStabilizer.defaults().wrap(NET), frames);
        double stable = FrameStabilizer.flicker(stabilized.subList(4, 12)); // after the first frames have settled
        double stableAll = FrameStabilizer.flicker(stabilized);
        double inputOnly = FrameStabilizer.flicker(apply(FrameStabilizer.builder().outputSmoothing(0).build().wrap(NET), frames));
        double outputOnly = FrameStabilizer.flicker(apply(FrameStabilizer.builder().inputSmoothing(0).build().wrap(NET), frames));
        System.out.printf("static 64 x 64 scene, noise sd %.3f, 12 frames: input flicker %.5f; stand-in output flicker "
                + "without stabilizer %.5f, with defaults %.5f (frames 4-11: %.5f), input smoothing only %.5f, output "
                + "smoothing only %.5f%n", NOISE, input, plain, stableAll, stable, inputOnly, outputOnly);
        assertTrue(plain > 4 * input, "the stand-in amplifies input noise: " + plain + " vs " + input);
        assertTrue(stableAll < plain / 3, "with " + stableAll + ", without " + plain);
        assertTrue(stable < plain / 5, "with " + stable + " once settled, without " + plain);
        assertTrue(inputOnly < plain && outputOnly < plain, inputOnly + ", " + outputOnly + " vs " + plain);
    }

    @Test
    void theStabilizedOutputIsCloserToTheStylizationOfTheCleanScene() {
        List<INDArray> frames = video(10, 0, 3);
        INDArray clean = NET.apply(Nd4j.create(scene(), new long[] {1, 3, H, W}, DataType.FLOAT));
        List<INDArray> plain = apply(NET, frames);
        List<INDArray> stable = apply(FrameStabilizer.defaults().wrap(NET), frames);
        double plainError = 0;
        double stableError = 0;
        for (int t = 6; t < 10; t++) {
            plainError += meanAbsDiff(plain.get(t), clean);
            stableError += meanAbsDiff(stable.get(t), clean);
        }
        assertTrue(stableError < plainError / 2, "error vs the clean stylization: with " + stableError + ", without " + plainError);
    }

    // ---- motion ----

    @Test
    void aMovingObjectIsNotGhosted() {
        int speed = 3;
        List<INDArray> frames = video(12, speed, 4);
        List<INDArray> plain = apply(NET, frames);
        List<INDArray> stable = apply(FrameStabilizer.defaults().wrap(NET), frames);
        for (int t = 2; t < 12; t++) {
            // the square's previous and current place, plus the stand-in's reach (2 pixels)
            int x0 = Math.max(0, SyntheticVideo.squareLeft(speed, t - 1) - 2);
            int x1 = Math.min(W, SyntheticVideo.squareLeft(speed, t) + SyntheticVideo.SQUARE + 2);
            int y0 = SyntheticVideo.SQUARE_TOP - 2;
            int y1 = SyntheticVideo.SQUARE_TOP + SyntheticVideo.SQUARE + 2;
            INDArray follow = crop(stable.get(t), x0, x1, y0, y1);
            INDArray current = crop(plain.get(t), x0, x1, y0, y1);
            INDArray ghost = crop(plain.get(t - 1), x0, x1, y0, y1);
            double error = meanAbsDiff(follow, current);
            double ghostSize = meanAbsDiff(ghost, current);
            // not exactly 0: the instance normalisation sees the denoised static part of the frame
            assertTrue(error < 0.01 * ghostSize, "frame " + t + ": output near the moving square differs from the "
                    + "new frame's stylization by " + error + " (holding the old output would differ by " + ghostSize + ")");
        }
        // and the static rest of the frame is still stabilized
        double plainStatic = FrameStabilizer.flicker(apply(f -> crop(f, 0, W, 32, 64), plain.subList(4, 12)));
        double stableStatic = FrameStabilizer.flicker(apply(f -> crop(f, 0, W, 32, 64), stable.subList(4, 12)));
        assertTrue(stableStatic < plainStatic / 4, "static part: with " + stableStatic + ", without " + plainStatic);
    }

    @Test
    void aSceneCutResetsTheOutput() {
        List<INDArray> frames = video(6, 0, 5);
        INDArray cut = Nd4j.rand(DataType.FLOAT, 1, 3, H, W);
        frames.add(cut);
        UnaryOperator<INDArray> op = FrameStabilizer.defaults().wrap(NET);
        INDArray last = apply(op, frames).get(6);
        double error = meanAbsDiff(last, NET.apply(cut));
        assertTrue(error < 0.01 * meanAbsDiff(NET.apply(frames.get(5)), NET.apply(cut)), "after a cut: " + error);
    }

    @Test
    void aSlowFadeIsFollowedAndTheOutputSettlesOnTheFinalFrame() {
        // a texture fading in over 10 frames, each step below the noise threshold, then 10 still frames
        float[] clean = scene();
        UnaryOperator<INDArray> op = FrameStabilizer.defaults().wrap(NET);
        double[] lag = new double[20];
        INDArray last = null;
        for (int t = 0; t < 20; t++) {
            float[] d = clean.clone();
            for (int i = 0; i < d.length; i++) {
                int x = i % W;
                int y = (i / W) % H;
                d[i] += (float) (0.008 * Math.min(t, 10) * Math.sin(0.7 * x + 0.4 * y));
            }
            last = Nd4j.create(d, new long[] {1, 3, H, W}, DataType.FLOAT);
            lag[t] = meanAbsDiff(op.apply(last), NET.apply(last));
        }
        double fade = meanAbsDiff(NET.apply(last), NET.apply(Nd4j.create(clean, new long[] {1, 3, H, W}, DataType.FLOAT)));
        assertTrue(lag[10] < 0.5 * fade, "behind by " + lag[10] + " at the end of a fade that changed the output by " + fade);
        // the lag decays like inputSmoothing^frames: 0.8^9 = 0.13
        assertTrue(lag[19] < 0.2 * lag[10] && lag[19] < 0.1 * fade, "still behind by " + lag[19] + " after 9 still frames "
                + "(" + lag[10] + " when the fade ended, the fade changed the output by " + fade + ")");
    }

    @Test
    void theFirstFrameIsStylizedAsItIs() {
        INDArray f = video(1, 0, 6).get(0);
        assertEquals(0.0, meanAbsDiff(FrameStabilizer.defaults().wrap(NET).apply(f), NET.apply(f)), 1e-7);
    }

    @Test
    void noSmoothingAtAllIsThePlainStylizer() {
        List<INDArray> frames = video(5, 2, 7);
        FrameStabilizer off = FrameStabilizer.builder().inputSmoothing(0).outputSmoothing(0).build();
        List<INDArray> out = apply(off.wrap(NET), frames);
        for (int t = 0; t < 5; t++) {
            assertEquals(0.0, meanAbsDiff(out.get(t), NET.apply(frames.get(t))), 1e-7);
        }
    }

    // ---- the metric and validation ----

    @Test
    void flickerIsTheMeanAbsoluteDifferenceOfConsecutiveFrames() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 1, 3, 2, 2);
        INDArray b = Nd4j.ones(DataType.FLOAT, 1, 3, 2, 2);
        INDArray c = Nd4j.valueArrayOf(new long[] {1, 3, 2, 2}, 0.5f);
        assertEquals(0.75, FrameStabilizer.flicker(List.of(a, b, c)), 1e-9);
        assertEquals("frames: expected at least 2 frames, got 1",
                assertThrows(IllegalArgumentException.class, () -> FrameStabilizer.flicker(List.of(a))).getMessage());
        assertEquals("frames: expected equal shapes, got [1, 3, 2, 2] and [1, 3, 2, 3] at frame 1",
                assertThrows(IllegalArgumentException.class,
                        () -> FrameStabilizer.flicker(List.of(a, Nd4j.zeros(DataType.FLOAT, 1, 3, 2, 3)))).getMessage());
    }

    @Test
    void builderValidatesEachSetting() {
        FrameStabilizer d = FrameStabilizer.defaults();
        assertEquals(0.02, d.noiseThreshold(), 1e-7);
        assertEquals(0.8, d.inputSmoothing(), 1e-7);
        assertEquals(0.5, d.outputSmoothing(), 1e-7);
        assertEquals(4, d.motionRadius());
        assertEquals("noiseThreshold: expected a value in (0, 1], got 0.0",
                assertThrows(IllegalArgumentException.class, () -> FrameStabilizer.builder().noiseThreshold(0)).getMessage());
        assertEquals("inputSmoothing: expected a value in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> FrameStabilizer.builder().inputSmoothing(1)).getMessage());
        assertEquals("outputSmoothing: expected a value in [0, 1), got NaN",
                assertThrows(IllegalArgumentException.class, () -> FrameStabilizer.builder().outputSmoothing(Double.NaN)).getMessage());
        assertEquals("motionRadius: expected a value in [0, 64], got -1",
                assertThrows(IllegalArgumentException.class, () -> FrameStabilizer.builder().motionRadius(-1)).getMessage());
        assertEquals("stylizer: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> d.wrap(null)).getMessage());
    }

    @Test
    void framesAndOutputsOfTheWrongShapeFail() {
        UnaryOperator<INDArray> op = FrameStabilizer.defaults().wrap(NET);
        op.apply(Nd4j.rand(DataType.FLOAT, 1, 3, 8, 8));
        assertEquals("frame 1: expected the shape of the previous frames [1, 3, 8, 8], got [1, 3, 8, 9]",
                assertThrows(IllegalArgumentException.class, () -> op.apply(Nd4j.rand(DataType.FLOAT, 1, 3, 8, 9))).getMessage());
        assertEquals("frame 1: expected NCHW with 3 channels, got [1, 1, 8, 8]",
                assertThrows(IllegalArgumentException.class, () -> op.apply(Nd4j.rand(DataType.FLOAT, 1, 1, 8, 8))).getMessage());
        UnaryOperator<INDArray> shrinking = FrameStabilizer.defaults().wrap(x -> x.get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, 4), NDArrayIndex.all()));
        assertEquals("stylizer: expected an output of the frame's shape [1, 3, 8, 8], got [1, 3, 4, 8] for frame 0",
                assertThrows(IllegalArgumentException.class, () -> shrinking.apply(Nd4j.rand(DataType.FLOAT, 1, 3, 8, 8))).getMessage());
    }

    @Test
    void filtersWorkAtTheBorders() {
        float[] v = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new float[] {3, 3.5f, 4, 3, 3.5f, 4}, FrameStabilizer.boxMean3(v, 2, 3), 1e-6f);
        assertArrayEquals(new float[] {1, 1, 2, 1, 1, 2}, FrameStabilizer.minFilter(v, 2, 3, 1), 1e-6f);
        assertArrayEquals(v, FrameStabilizer.minFilter(v, 2, 3, 0), 0f);
    }
}
