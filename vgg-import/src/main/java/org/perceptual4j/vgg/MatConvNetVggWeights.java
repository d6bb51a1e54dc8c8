package org.perceptual4j.vgg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.ImageConvention;
import us.hebi.matlab.mat.format.BufferAllocator;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Source;
import us.hebi.matlab.mat.types.Sources;
import us.hebi.matlab.mat.types.Struct;

/**
 * Reads VGG convolution weights and the mean pixel from a MatConvNet SimpleNN MAT-file
 * ({@code imagenet-vgg-verydeep-19.mat}, {@code imagenet-vgg-verydeep-16.mat}) through MFL
 * ({@code us.hebi.matlab.mat:mfl-core}).
 *
 * <p>Layout (vlfeat/matconvnet {@code utils/import-caffe.py}, {@code vl_simplenn_tidy.m}): a MATLAB v5
 * file (compressed or not) with a variable {@code layers}, a cell array (or struct array) of layer structs
 * in network order, each with {@code type} ({@code conv}, {@code relu}, {@code pool}, ...) and
 * {@code name}; a convolution holds {@code weights = {filters, biases}} (newer files) or separate
 * {@code filters} and {@code biases} fields (older ones). Filters are {@code [H W in out]} in MATLAB's
 * dimension order: import-caffe.py transposes Caffe's X and Y so that dimension 1 is the height, which is
 * Keras's HWIO and ND4J's YXIO, used without a transpose (the TensorFlow neural-style seeds transpose
 * H and W, which mirrors each kernel across its diagonal). The first convolution's input channels are RGB.
 * The mean pixel is the average over H and W of {@code meta.normalization.averageImage} (newer files) or
 * of the top-level {@code normalization.averageImage} (older ones): 1x1x3 or an HxWx3 mean image.
 *
 * <p>Only the convolutions up to the fifth pooling are kept; the classifier ({@code fc6} to {@code fc8},
 * 494 MB of the 535 MB file) is read by MFL, since it sits in the same compressed variable, and dropped
 * as soon as the convolutions are copied out.
 */
final class MatConvNetVggWeights {
    /** Mean pixels closer than this (0-255 scale) to MatConvNet's usual one are reported as {@link ImageConvention#MATCONVNET}. */
    private static final double SAME_MEAN = 1e-3;

    /** Heap buffers: the memory MFL uses shows up in heap figures and is reclaimed by the garbage collector. */
    private static final BufferAllocator HEAP = new BufferAllocator() {
        @Override
        public ByteBuffer allocate(int numBytes) {
            return ByteBuffer.allocate(numBytes);
        }

        @Override
        public void release(ByteBuffer buffer) {
            // garbage collected
        }
    };

    /** The convolutions of the network and the image convention of the file (its mean pixel). */
    record Network(List<KerasVggWeights.Conv> convs, ImageConvention convention) {
    }

    private MatConvNetVggWeights() {
    }

    /** Reads all convolutions of {@code arch} and the mean pixel from {@code file}, checking structure and shapes. */
    static Network read(Path file, VggArchitecture arch) throws IOException {
        WeightsFormat format = WeightsFormat.detect(file);
        if (format != WeightsFormat.MATCONVNET) {
            throw new VggImportException(file + ": not a MATLAB v5 MAT-file but " + format.displayName()
                    + "; load it with Vgg19.fromFile / Vgg16.fromFile, which recognise the format");
        }
        Mat5File mat;
        try (Source source = Sources.openFile(file.toFile())) {
            mat = Mat5.newReader(source).setBufferAllocator(HEAP).readMat();
        } catch (IOException | RuntimeException e) {
            throw new VggImportException(file + ": cannot read the MAT-file (truncated or corrupt?): " + rootMessage(e), e);
        }
        try {
            return new Reader(file, mat).read(arch);
        } finally {
            mat.close();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** One layer struct: {@code layers{index}} (1-based, as MATLAB shows it). */
    private record Layer(int index, Struct struct, int element) {
        boolean has(String field) {
            return struct.getFieldNames().contains(field);
        }

        Array get(String field) {
            return struct.get(field, element);
        }

        String label() {
            String name = has("name") && get("name") instanceof Char c ? c.getString().trim() : "";
            return (name.isEmpty() ? "" : name + " ") + "(layers{" + index + "})";
        }
    }

    private static final class Reader {
        private final Path file;
        private final MatFile mat;

        Reader(Path file, MatFile mat) {
            this.file = file;
            this.mat = mat;
        }

        Network read(VggArchitecture arch) throws VggImportException {
            List<Layer> layers = layers();
            checkBlocks(layers, arch);
            ImageConvention convention = convention();
            List<KerasVggWeights.Conv> convs = new ArrayList<>();
            long inChannels = 3;
            int block = 1;
            int inBlock = 0;
            for (Layer layer : layers) {
                String type = type(layer);
                if (type.equals("pool")) {
                    requireAll(layer, "pool", 2, "VGG's 2x2 pooling");
                    requireAll(layer, "stride", 2, "VGG's 2x2 pooling");
                    if (++block > arch.convsPerBlock().length) {
                        break;
                    }
                    inBlock = 0;
                } else if (type.equals("conv")) {
                    KerasVggWeights.Conv conv = conv(layer, "conv" + block + "_" + (++inBlock), inChannels);
                    convs.add(conv);
                    inChannels = conv.kernel().size(3);
                }
            }
            return new Network(convs, convention);
        }

        private VggImportException error(String message) {
            return new VggImportException(file + ": " + message);
        }

        private List<String> variables() {
            List<String> names = new ArrayList<>();
            for (MatFile.Entry e : mat.getEntries()) {
                names.add(e.getName());
            }
            return names;
        }

        private Array variable(String name) {
            for (MatFile.Entry e : mat.getEntries()) {
                if (e.getName().equals(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        /** The layer structs, from a cell array of structs or a struct array. */
        private List<Layer> layers() throws VggImportException {
            Array a = variable("layers");
            if (a == null) {
                throw error("not a MatConvNet network: expected a variable 'layers' (a cell array of layer structs), "
                        + "found variables " + variables());
            }
            List<Layer> layers = new ArrayList<>();
            if (a instanceof Cell cell) {
                for (int i = 0; i < cell.getNumElements(); i++) {
                    Array element = cell.get(i);
                    if (!(element instanceof Struct s) || s.getNumElements() != 1) {
                        throw error("layers{" + (i + 1) + "}: expected a layer struct, got " + describe(element));
                    }
                    layers.add(new Layer(i + 1, s, 0));
                }
            } else if (a instanceof Struct s) {
                for (int i = 0; i < s.getNumElements(); i++) {
                    layers.add(new Layer(i + 1, s, i));
                }
            } else {
                throw error("expected 'layers' to be a cell array of layer structs, got " + describe(a));
            }
            return layers;
        }

        private String type(Layer layer) throws VggImportException {
            if (!layer.has("type") || !(layer.get("type") instanceof Char c)) {
                throw error("layer " + layer.label() + " has no 'type' text; its fields are " + layer.struct().getFieldNames());
            }
            return c.getString().trim();
        }

        /**
         * Checks the sequence of layers up to the fifth pooling: conv and relu layers in blocks of
         * {@code arch.convsPerBlock()} convolutions, each closed by a pooling.
         */
        private void checkBlocks(List<Layer> layers, VggArchitecture arch) throws VggImportException {
            int[] expected = arch.convsPerBlock();
            List<Integer> found = new ArrayList<>();
            int inBlock = 0;
            String stoppedAt = "";
            for (Layer layer : layers) {
                String type = type(layer);
                if (type.equals("conv")) {
                    inBlock++;
                } else if (type.equals("pool")) {
                    found.add(inBlock);
                    inBlock = 0;
                    if (found.size() == expected.length) {
                        break;
                    }
                } else if (!type.equals("relu")) {
                    stoppedAt = ", then layer " + layer.label() + " of type '" + type + "'"
                            + (type.startsWith("dagnn.") ? " (a DagNN network; only SimpleNN files are supported)" : "");
                    break;
                }
            }
            int[] actual = found.stream().mapToInt(Integer::intValue).toArray();
            if (Arrays.equals(expected, actual)) {
                return;
            }
            for (VggArchitecture other : VggArchitecture.values()) {
                if (Arrays.equals(other.convsPerBlock(), actual)) {
                    throw error("this is a " + other + " network (convolutions per block " + Arrays.toString(actual)
                            + "); load it with " + (other == VggArchitecture.VGG19 ? "Vgg19" : "Vgg16") + ".fromMatConvNet");
                }
            }
            throw error("not a " + arch + " network: expected blocks of " + Arrays.toString(expected)
                    + " convolutions, each closed by a pool layer, found " + Arrays.toString(actual)
                    + (inBlock > 0 ? " and " + inBlock + " more convolutions without pooling" : "")
                    + stoppedAt);
        }

        private KerasVggWeights.Conv conv(Layer layer, String name, long inChannels) throws VggImportException {
            Array filters;
            Array biases;
            if (layer.has("weights")) {
                if (!(layer.get("weights") instanceof Cell w) || w.getNumElements() < 2) {
                    throw error("layer " + layer.label() + ": expected 'weights' to be a cell {filters, biases}, got "
                            + describe(layer.get("weights")));
                }
                filters = w.get(0);
                biases = w.get(1);
            } else if (layer.has("filters") && layer.has("biases")) {
                filters = layer.get("filters");
                biases = layer.get("biases");
            } else {
                throw error("layer " + layer.label() + " has no weights: expected a field 'weights' = {filters, biases} "
                        + "or fields 'filters' and 'biases'; its fields are " + layer.struct().getFieldNames());
            }
            requireAll(layer, "stride", 1, "VGG's 3x3 convolutions");
            requireAll(layer, "pad", 1, "VGG's 3x3 convolutions");
            int[] d = dims4(filters);
            if (!(filters instanceof Matrix f) || f.isComplex() || d[0] != 3 || d[1] != 3 || d[2] != inChannels) {
                throw error("layer " + layer.label() + ": expected filters of size [3 3 " + inChannels
                        + " out] (H W in out), got " + describe(filters));
            }
            if (!(biases instanceof Matrix b) || b.isComplex() || b.getNumElements() != d[3]) {
                throw error("layer " + layer.label() + ": expected " + d[3] + " biases, got " + describe(biases));
            }
            return new KerasVggWeights.Conv(name, hwio(f, d), vector(b));
        }

        /** If the layer has {@code field}, every value must be {@code value}. */
        private void requireAll(Layer layer, String field, double value, String why) throws VggImportException {
            if (!layer.has(field)) {
                return;
            }
            Array a = layer.get(field);
            boolean ok = a instanceof Matrix m && m.getNumElements() > 0;
            for (int i = 0; ok && i < a.getNumElements(); i++) {
                ok = ((Matrix) a).getDouble(i) == value;
            }
            if (!ok) {
                throw error("layer " + layer.label() + ": expected " + field + " " + (int) value + " (" + why + "), got "
                        + describe(a));
            }
        }

        /** The convention: RGB, 0-255, minus the mean pixel of averageImage. */
        private ImageConvention convention() throws VggImportException {
            Array norm = null;
            if (variable("meta") instanceof Struct meta && meta.getNumElements() == 1
                    && meta.getFieldNames().contains("normalization")) {
                norm = meta.get("normalization");
            } else if (variable("normalization") != null) {
                norm = variable("normalization");
            }
            if (!(norm instanceof Struct n) || n.getNumElements() != 1 || !n.getFieldNames().contains("averageImage")) {
                throw error("no mean pixel: expected meta.normalization.averageImage (newer MatConvNet files) or "
                        + "normalization.averageImage (older ones), found variables " + variables());
            }
            Array avg = n.get("averageImage");
            int[] d = avg.getDimensions();
            int channels = avg.getNumElements() == 3 ? 3 : d.length == 3 ? d[2] : 0;
            if (!(avg instanceof Matrix m) || m.isComplex() || channels != 3) {
                throw error("normalization.averageImage: expected the mean pixel (3 values) or an HxWx3 mean image, got "
                        + describe(avg));
            }
            int pixels = m.getNumElements() / 3;
            double[] mean = new double[3];
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int p = 0; p < pixels; p++) {
                    sum += m.getDouble(c * pixels + p); // column-major: the channel is the slowest index
                }
                mean[c] = sum / pixels;
            }
            double[] usual = ImageConvention.MATCONVNET.mean();
            if (Math.abs(mean[0] - usual[0]) < SAME_MEAN && Math.abs(mean[1] - usual[1]) < SAME_MEAN
                    && Math.abs(mean[2] - usual[2]) < SAME_MEAN) {
                return ImageConvention.MATCONVNET; // the file stores the usual mean in single precision
            }
            try {
                return ImageConvention.matConvNet(mean[0], mean[1], mean[2]);
            } catch (IllegalArgumentException e) {
                throw error("normalization.averageImage: " + e.getMessage(), e);
            }
        }

        private VggImportException error(String message, Throwable cause) {
            return new VggImportException(file + ": " + message, cause);
        }
    }

    /** Dimensions padded with trailing 1s to 4 (MATLAB drops trailing singleton dimensions). */
    private static int[] dims4(Array a) {
        int[] d = a.getDimensions();
        int[] r = {1, 1, 1, 1};
        if (d.length > 4) {
            return d;
        }
        System.arraycopy(d, 0, r, 0, d.length);
        return r;
    }

    /** MATLAB's column-major [H W in out] as a C-order ND4J [H, W, in, out] (HWIO) FLOAT array. */
    private static INDArray hwio(Matrix m, int[] d) {
        return Nd4j.create(floats(m), new long[] {d[0], d[1], d[2], d[3]}, 'f').dup('c');
    }

    private static INDArray vector(Matrix m) {
        return Nd4j.createFromArray(floats(m));
    }

    /** The values in MATLAB's (column-major) order, as float (the files store single; double is converted). */
    private static float[] floats(Matrix m) {
        float[] data = new float[m.getNumElements()];
        for (int i = 0; i < data.length; i++) {
            data[i] = m.getFloat(i);
        }
        return data;
    }

    /** "single [3 3 5 4]", "cell [1 2]", "char 'max'" for messages. */
    private static String describe(Array a) {
        if (a == null) {
            return "nothing";
        }
        String dims = Arrays.toString(a.getDimensions()).replace(",", "");
        if (a instanceof Char c && c.getNumElements() <= 40) {
            return "char '" + c.getString() + "'";
        }
        return a.getType().toString().toLowerCase(Locale.ROOT) + " " + dims;
    }
}
