package org.perceptual4j.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.style.LossRecord;

class FastStyleTrainerTest {
    @TempDir
    Path tmp;

    @Test
    void trainingLowersTheLoss() throws IOException {
        // 4 images, batch 4: every iteration sees the same images, so the loss must fall
        Path data = FastTesting.dataset(tmp.resolve("data"), 4);
        TrainingResult r = FastTesting.trainer(data).batchSize(4).microBatch(4).iterations(12).build().train();
        assertTrue(r.completed());
        assertEquals(12, r.iterations());
        List<LossRecord> h = r.history();
        assertEquals(12, h.size());
        for (int i = 1; i < h.size(); i++) {
            assertTrue(h.get(i).total() < h.get(i - 1).total(), "the loss falls at every step: " + h);
        }
        double first = h.get(0).total();
        double last = h.get(h.size() - 1).total();
        assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
        assertEquals(List.of("content:relu2", "style:relu1", "style:relu2", "style:relu3", "tv"), List.copyOf(h.get(0).terms().keySet()));
        assertEquals(12, r.model().metadata().iterations());
        assertEquals("stripes", r.model().metadata().styleName());
        assertEquals("1000.0", r.model().metadata().settings().get("styleWeight"));
        assertEquals("iterations=12", r.model().metadata().settings().get("schedule"));
    }

    @Test
    void resumingACheckpointGivesBitForBitTheUninterruptedRun() throws IOException {
        // 5 images, batch 2: epochs of 2 + 2 + 1 images; the checkpoint after 2 iterations falls inside
        // epoch 0 and the resumed run crosses into epoch 1, so it must continue the shuffled order, the
        // smaller last batch and the Adam moments exactly
        Path data = FastTesting.dataset(tmp.resolve("data"), 5);
        TrainingResult whole = FastTesting.trainer(data).iterations(5).build().train();

        Path ck = tmp.resolve("run.checkpoint");
        TrainingResult first = FastTesting.trainer(data).iterations(2).checkpoint(ck, 100).build().train();
        assertEquals(ck, first.checkpoint(), "a checkpoint is written at the end");
        TrainingResult resumed = FastTesting.trainer(data).iterations(5).resumeFrom(ck).build().train();

        assertEquals(5, resumed.iterations());
        Map<String, INDArray> expected = whole.model().network().parameters();
        Map<String, INDArray> actual = resumed.model().network().parameters();
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).data().asFloat(), actual.get(name).data().asFloat(), 0f, name);
        }
        assertEquals(whole.history().stream().map(LossRecord::total).toList(),
                resumed.history().stream().map(LossRecord::total).toList());
    }

    @Test
    @Tag("slow") // FastStyleParityTest checks the same sum of micro-batches against PyTorch
    void microBatchesGiveTheSameTrainingUpToRounding() throws IOException {
        Path data = FastTesting.dataset(tmp.resolve("data"), 4);
        TrainingResult whole = FastTesting.trainer(data).batchSize(4).microBatch(4).iterations(2).build().train();
        TrainingResult split = FastTesting.trainer(data).batchSize(4).iterations(2).build().train(); // default: 1
        for (int i = 0; i < 2; i++) {
            double a = whole.history().get(i).total();
            double b = split.history().get(i).total();
            assertEquals(a, b, 1e-5 * Math.abs(a), "loss of iteration " + (i + 1));
        }
        // compared by what the networks do, not parameter by parameter: the conv biases before instance norm
        // have a gradient of 0 up to rounding, which Adam turns into arbitrary +-lr steps (they do not matter)
        INDArray x = FastTesting.image(8, 20, 28);
        INDArray a = whole.model().network().output(x);
        INDArray b = split.model().network().output(x);
        double scale = a.amaxNumber().doubleValue();
        assertTrue(a.sub(b).amaxNumber().doubleValue() <= 1e-4 * scale, "outputs differ by " + a.sub(b).amaxNumber());
    }

    @Test
    void epochsVisitEveryImageOnceWithASmallerLastBatch() throws IOException {
        Path data = FastTesting.dataset(tmp.resolve("data"), 5);
        List<int[]> batches = new ArrayList<>();
        TrainingResult r = FastTesting.trainer(data).epochs(2)
                .listener(e -> batches.add(new int[] {e.epoch(), e.batchSize(), (int) e.plannedIterations()}))
                .build().train();
        assertTrue(r.completed());
        assertEquals(6, r.iterations());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, batches.stream().mapToInt(b -> b[0]).toArray());
        assertArrayEquals(new int[] {2, 2, 1, 2, 2, 1}, batches.stream().mapToInt(b -> b[1]).toArray());
        assertEquals(6, batches.get(0)[2]);
    }

    @Test
    void unreadableAndTooLargeFilesAreSkippedAndCounted() throws IOException {
        Path data = FastTesting.dataset(tmp.resolve("data"), 3);
        Files.write(data.resolve("broken.png"), new byte[] {1, 2, 3, 4});
        Files.writeString(data.resolve("notes.txt"), "not an image, ignored");
        Files.writeString(data.resolve(".hidden.png"), "hidden, ignored");
        org.perceptual4j.image.Images.write(FastTesting.image(9, 60, 60), data.resolve("huge.png"));
        List<Integer> skippedCounts = new ArrayList<>();
        TrainingResult r = FastTesting.trainer(data).maxPixels(2000).epochs(1)
                .listener(e -> skippedCounts.add(e.skippedFiles())).build().train();
        assertEquals(2, r.skippedFiles().size(), r.skippedFiles().toString());
        String broken = r.skippedFiles().get(data.resolve("broken.png"));
        String huge = r.skippedFiles().get(data.resolve("huge.png"));
        assertTrue(broken.startsWith(data.resolve("broken.png").toString()), broken);
        assertTrue(huge.startsWith(data.resolve("huge.png").toString()) && huge.contains("exceeds the limit"), huge);
        assertEquals(2, r.iterations(), "3 readable images in batches of 2");
        assertEquals(2, skippedCounts.get(skippedCounts.size() - 1));
    }

    @Test
    void aFolderWithoutReadableImagesFailsNamingIt() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("readme.txt"), "no images here");
        IOException e = assertThrows(IOException.class, () -> FastTesting.trainer(empty).iterations(2).build().train());
        assertTrue(e.getMessage().startsWith(empty.toString()) && e.getMessage().contains("no image files"), e.getMessage());

        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.write(broken.resolve("a.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 0, 0});
        Files.write(broken.resolve("b.png"), new byte[0]);
        e = assertThrows(IOException.class, () -> FastTesting.trainer(broken).iterations(2).build().train());
        assertTrue(e.getMessage().startsWith(broken.toString()) && e.getMessage().contains("none of the 2 image files can be read"),
                e.getMessage());

        Path missing = tmp.resolve("missing");
        e = assertThrows(NoSuchFileException.class, () -> FastTesting.trainer(missing).iterations(2).build().train());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void aListenerCanStopAndTheCheckpointResumesTheRest() throws IOException {
        Path data = FastTesting.dataset(tmp.resolve("data"), 4);
        Path ck = tmp.resolve("stop.checkpoint");
        TrainingResult r = FastTesting.trainer(data).iterations(10).checkpoint(ck, 100).listener(e -> {
            if (e.iteration() == 3) {
                e.requestStop();
            }
        }).build().train();
        assertFalse(r.completed());
        assertEquals(3, r.iterations());
        assertEquals(3, FastStyleModel.load(ck).metadata().iterations(), "the checkpoint of the stop");
    }

    @Test
    void anInterruptStopsAfterTheCurrentIterationAndKeepsTheFlag() throws IOException {
        Path data = FastTesting.dataset(tmp.resolve("data"), 4);
        Path ck = tmp.resolve("interrupted.checkpoint");
        try {
            TrainingResult r = FastTesting.trainer(data).iterations(10).checkpoint(ck, 100).listener(e -> {
                if (e.iteration() == 2) {
                    Thread.currentThread().interrupt();
                }
            }).build().train();
            assertFalse(r.completed());
            assertEquals(2, r.iterations());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertEquals(2, FastStyleModel.load(ck).metadata().iterations(), "the checkpoint is written despite the interrupt");
    }

    @Test
    void samplesCheckpointsAndTheLossLogAreWrittenWhereAsked() throws IOException {
        Path data = FastTesting.dataset(tmp.resolve("data"), 4);
        Path samples = tmp.resolve("samples");
        Path log = tmp.resolve("losses.csv");
        Path ck = tmp.resolve("every.checkpoint");
        List<Path> sampleFiles = new ArrayList<>();
        List<Path> checkpoints = new ArrayList<>();
        FastTesting.trainer(data).iterations(4).sample(FastTesting.image(5, 13, 21), 2, samples).checkpoint(ck, 3).lossLog(log)
                .listener(e -> {
                    sampleFiles.add(e.sampleFile());
                    checkpoints.add(e.checkpointFile());
                    assertTrue(e.eta().toMillis() >= 0 && e.imagesPerSecond() > 0 && e.elapsed().toMillis() >= 0);
                }).build().train();
        assertEquals(java.util.Arrays.asList(null, samples.resolve("sample_000002.png"), null, samples.resolve("sample_000004.png")),
                sampleFiles);
        assertEquals(java.util.Arrays.asList(null, null, ck, null), checkpoints);
        INDArray sample = org.perceptual4j.image.Images.read(samples.resolve("sample_000004.png"));
        assertArrayEquals(new long[] {1, 3, 13, 21}, sample.shape());
        List<String> lines = Files.readAllLines(log);
        assertEquals("iteration,content:relu2,style:relu1,style:relu2,style:relu3,tv,total,elapsed_ms", lines.get(0));
        assertEquals(5, lines.size());
        assertTrue(lines.get(4).startsWith("4,"));
        assertEquals(4, FastStyleModel.load(ck).metadata().iterations(), "rewritten at the end");
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void resumingWithOtherSettingsNamesThem() throws IOException {
        Path data = FastTesting.dataset(tmp.resolve("data"), 4);
        Path ck = tmp.resolve("a.checkpoint");
        FastTesting.trainer(data).iterations(1).checkpoint(ck, 1).build().train();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FastTesting.trainer(data).iterations(3).styleWeight(7).seed(4).resumeFrom(ck).build().train());
        assertTrue(e.getMessage().contains(ck.toString()) && e.getMessage().contains("styleWeight 1000.0 (now 7.0)")
                && e.getMessage().contains("seed 3 (now 4)"), e.getMessage());
        IllegalArgumentException style = assertThrows(IllegalArgumentException.class,
                () -> FastTesting.trainer(data).style(FastTesting.image(1, 20, 20), "other").iterations(3).resumeFrom(ck).build().train());
        assertTrue(style.getMessage().contains("style image differs"), style.getMessage());
        Files.delete(data.resolve("img00.png"));
        IllegalArgumentException dataset = assertThrows(IllegalArgumentException.class,
                () -> FastTesting.trainer(data).iterations(3).resumeFrom(ck).build().train());
        assertTrue(dataset.getMessage().contains("data set"), dataset.getMessage());
    }

    @Test
    void corruptOrWrongCheckpointsAreReportedWithTheirName() throws IOException {
        Path data = FastTesting.dataset(tmp.resolve("data"), 4);
        Path ck = tmp.resolve("good.checkpoint");
        FastTesting.trainer(data).iterations(1).checkpoint(ck, 1).build().train();
        byte[] bytes = Files.readAllBytes(ck);

        Path truncated = tmp.resolve("truncated.checkpoint");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> FastTesting.trainer(data).iterations(2).resumeFrom(truncated).build().train());
        assertTrue(e.getMessage().startsWith(truncated.toString()), e.getMessage());

        Path model = tmp.resolve("model.p4jstyle");
        FastStyleModel.load(ck).save(model);
        e = assertThrows(ModelFormatException.class, () -> FastTesting.trainer(data).iterations(2).resumeFrom(model).build().train());
        assertTrue(e.getMessage().startsWith(model.toString()) && e.getMessage().contains("not a training checkpoint"), e.getMessage());
    }

    @Test
    void aNonFiniteLossStopsWithTheLastFiniteModel() throws IOException {
        Path data = FastTesting.dataset(tmp.resolve("data"), 4);
        TrainingException e = assertThrows(TrainingException.class,
                () -> FastTesting.trainer(data).styleWeight(1e300).iterations(3).build().train());
        assertTrue(e.getMessage().contains("the loss became Infinity at iteration 1"), e.getMessage());
        assertEquals(0, e.lastFiniteModel().metadata().iterations());
        assertTrue(e.history().isEmpty());
    }

    @Test
    void theBuilderChecksEachValueAndTheCombination() {
        FastStyleTrainer.Builder b = FastStyleTrainer.builder();
        assertEquals("imageSize: expected a value > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> b.imageSize(0)).getMessage());
        assertEquals("batchSize: expected a value > 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> b.batchSize(-1)).getMessage());
        assertEquals("contentWeight: expected a finite value >= 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> b.contentWeight(Double.NaN)).getMessage());
        assertEquals("styleLayers: expected at least one layer, got none",
                assertThrows(IllegalArgumentException.class, () -> b.styleLayers(List.of())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.style(Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8), "two"));
        assertThrows(IllegalArgumentException.class, () -> b.sample(Nd4j.rand(DataType.FLOAT, 1, 4, 8, 8), 5, tmp));
        assertThrows(IllegalArgumentException.class, () -> b.checkpoint(tmp.resolve("c"), 0));
        assertTrue(assertThrows(IllegalArgumentException.class, b::build).getMessage().startsWith("dataDirectory"));
        assertEquals("microBatch: expected a value <= batchSize 2, got 3",
                assertThrows(IllegalArgumentException.class, () -> FastTesting.trainer(tmp).microBatch(3).build()).getMessage());
        FastStyleTrainer.Builder both = FastTesting.trainer(tmp).iterations(5).epochs(2);
        assertEquals("iterations and epochs: expected one of them, got iterations 5 and epochs 2",
                assertThrows(IllegalArgumentException.class, both::build).getMessage());
        IllegalArgumentException layer = assertThrows(IllegalArgumentException.class,
                () -> FastTesting.trainer(tmp).contentLayer("relu9").build());
        assertTrue(layer.getMessage().contains("unknown layer 'relu9'") && layer.getMessage().contains("relu3"), layer.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FastTesting.trainer(tmp).contentWeight(0).styleWeight(0).tvWeight(0).build());
        assertNotNull(FastTesting.trainer(tmp).build().toString());
    }
}
