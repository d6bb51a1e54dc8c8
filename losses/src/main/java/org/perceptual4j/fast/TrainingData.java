package org.perceptual4j.fast;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.perceptual4j.image.ImageReader;
import org.perceptual4j.image.Images;

/**
 * The training images as a deterministic stream of batches: epoch e visits every file once in an order
 * shuffled by {@code seed} and e; a batch takes the next readable files of the current epoch (the last
 * batch of an epoch may be smaller); files that cannot be read are remembered, skipped and counted. The
 * whole state is (epoch, position, skipped files), so a checkpoint can restore it exactly.
 */
final class TrainingData {
    private final Path dir;
    private final List<Path> files;
    private final ImageReader reader;
    private final int imageSize;
    private final long seed;
    private int epoch;
    private int position;
    private int[] order;
    private final Map<Path, String> skipped = new LinkedHashMap<>();

    /** A batch: the images {@code [n, 3, size, size]} and the epoch they came from. */
    record Batch(INDArray images, int epoch) {
    }

    TrainingData(Path dir, List<Path> files, ImageReader reader, int imageSize, long seed) {
        this.dir = dir;
        this.files = List.copyOf(files);
        this.reader = reader;
        this.imageSize = imageSize;
        this.seed = seed;
        this.order = order(seed, 0, files.size());
    }

    int fileCount() {
        return files.size();
    }

    int epoch() {
        return epoch;
    }

    int position() {
        return position;
    }

    Map<Path, String> skipped() {
        return skipped;
    }

    /** Restores the state saved by a checkpoint. */
    void restore(int epoch, int position, Map<Path, String> skippedFiles) {
        this.epoch = epoch;
        this.position = position;
        this.order = order(seed, epoch, files.size());
        skipped.clear();
        skipped.putAll(skippedFiles);
    }

    /**
     * The next batch of up to {@code batchSize} images, or {@code null} when epoch {@code stopEpoch} would
     * start (use {@link Integer#MAX_VALUE} to cycle forever).
     *
     * @throws IOException naming the directory when no file of the data set can be read
     */
    Batch next(int batchSize, int stopEpoch) throws IOException {
        if (!skipped.isEmpty() && skipped.size() == files.size()) {
            throw noneReadable(null);
        }
        List<INDArray> images = new ArrayList<>();
        int batchEpoch = epoch;
        while (images.size() < batchSize) {
            if (position == files.size()) {
                if (!images.isEmpty()) {
                    break; // the epoch ends with a smaller batch
                }
                if (epoch + 1 >= stopEpoch) {
                    return null;
                }
                epoch++;
                position = 0;
                order = order(seed, epoch, files.size());
                batchEpoch = epoch;
                continue;
            }
            Path file = files.get(order[position++]);
            if (skipped.containsKey(file)) {
                continue;
            }
            try {
                images.add(prepare(reader.read(file), imageSize));
            } catch (IOException e) {
                skipped.put(file, e.getMessage() == null ? file + ": " + e : e.getMessage());
                if (skipped.size() == files.size()) {
                    throw noneReadable(e);
                }
            }
        }
        return new Batch(Nd4j.concat(0, images.toArray(new INDArray[0])), batchEpoch);
    }

    private IOException noneReadable(IOException cause) {
        return new IOException(dir + ": none of the " + files.size() + " image files can be read (e.g. "
                + skipped.values().iterator().next() + ")", cause);
    }

    /**
     * Resizes so that the shorter side is {@code size} (Lanczos, antialiased) and crops the centre
     * {@code size x size}: torchvision's {@code Resize(size)} then {@code CenterCrop(size)}.
     */
    static INDArray prepare(INDArray image, int size) {
        long h = image.size(2);
        long w = image.size(3);
        int newH;
        int newW;
        if (h <= w) {
            newH = size;
            newW = (int) Math.max(size, Math.round((double) w * size / h));
        } else {
            newW = size;
            newH = (int) Math.max(size, Math.round((double) h * size / w));
        }
        INDArray r = Images.resize(image, newH, newW);
        int top = (newH - size) / 2;
        int left = (newW - size) / 2;
        return r.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, top + size),
                NDArrayIndex.interval(left, left + size)).dup('c');
    }

    /** The visiting order of epoch {@code epoch}: a Fisher-Yates shuffle seeded by the seed and the epoch. */
    static int[] order(long seed, int epoch, int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** MD5 of the relative paths of the files in order: identifies the data set for resuming. */
    String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            for (Path f : files) {
                md.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by every Java platform", e);
        }
    }

    Path dir() {
        return dir;
    }
}
