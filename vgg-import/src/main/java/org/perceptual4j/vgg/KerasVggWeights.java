package org.perceptual4j.vgg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads VGG convolution weights from a Keras HDF5 weights file through DL4J's {@link Hdf5Archive}.
 *
 * <p>Accepted layouts: the keras-applications files ({@code vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5}
 * and the variant with the classifier): one group per layer ({@code block1_conv1}, ...) holding
 * {@code block1_conv1_W_1:0} (kernel, HWIO) and {@code block1_conv1_b_1:0} (bias); the tf.keras
 * naming where the datasets are nested ({@code block1_conv1/block1_conv1/kernel:0}, {@code .../bias:0});
 * and whole saved models, whose weights sit under {@code model_weights}. Classifier layers are ignored.
 */
final class KerasVggWeights {
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final Pattern KERNEL = Pattern.compile("(.*[/_])?(kernel|W)(_\\d+)?:\\d+$");
    private static final Pattern BIAS = Pattern.compile("(.*[/_])?(bias|b)(_\\d+)?:\\d+$");

    /** Kernel (HWIO, [3, 3, in, out]) and bias ([out]) of one convolution. */
    record Conv(String name, INDArray kernel, INDArray bias) {
    }

    private KerasVggWeights() {
    }

    /** Detects VGG16 or VGG19 from the groups of the file. */
    static VggArchitecture detect(Path file) throws IOException {
        try (Hdf5Archive archive = open(file)) {
            List<String> groups = archive.getGroups(root(archive));
            return groups.contains(VggArchitecture.kerasConvName(3, 4)) ? VggArchitecture.VGG19 : VggArchitecture.VGG16;
        } catch (RuntimeException e) {
            throw corrupt(file, e);
        }
    }

    /** Reads all convolutions of {@code arch} from {@code file}, checking names and shapes. */
    static List<Conv> read(Path file, VggArchitecture arch) throws IOException {
        try (Hdf5Archive archive = open(file)) {
            String root = root(archive);
            List<String> groups = archive.getGroups(root);
            if (arch == VggArchitecture.VGG16 && groups.contains(VggArchitecture.kerasConvName(3, 4))) {
                throw new VggImportException(file + ": this is a VGG19 weights file (it has layer group 'block3_conv4'); "
                        + "load it with Vgg19.fromKeras");
            }
            List<Conv> convs = new ArrayList<>();
            long inChannels = 3;
            int[] blocks = arch.convsPerBlock();
            for (int b = 1; b <= blocks.length; b++) {
                for (int i = 1; i <= blocks[b - 1]; i++) {
                    String group = VggArchitecture.kerasConvName(b, i);
                    if (!groups.contains(group)) {
                        throw new VggImportException(file + ": not a " + arch + " Keras weights file: expected layer group '"
                                + group + "', found groups " + groups);
                    }
                    Conv conv = readConv(archive, file, root, group, "conv" + b + "_" + i);
                    long[] k = conv.kernel().shape();
                    if (k.length != 4 || k[0] != 3 || k[1] != 3 || k[2] != inChannels) {
                        throw new VggImportException(file + ": layer " + group + ": expected a kernel of shape [3, 3, "
                                + inChannels + ", out] (HWIO), got " + Arrays.toString(k));
                    }
                    if (conv.bias().rank() != 1 || conv.bias().length() != k[3]) {
                        throw new VggImportException(file + ": layer " + group + ": expected a bias of shape [" + k[3]
                                + "], got " + Arrays.toString(conv.bias().shape()));
                    }
                    convs.add(conv);
                    inChannels = k[3];
                }
            }
            return convs;
        } catch (VggImportException e) {
            throw e;
        } catch (RuntimeException e) {
            throw corrupt(file, e);
        }
    }

    private static Conv readConv(Hdf5Archive archive, Path file, String root, String group, String name) throws IOException {
        List<String> datasets = new ArrayList<>();
        collectDatasets(archive, join(root, group), "", datasets);
        String kernel = null;
        String bias = null;
        for (String d : datasets) {
            String leaf = d.substring(d.lastIndexOf('/') + 1);
            if (KERNEL.matcher(leaf).matches()) {
                kernel = d;
            } else if (BIAS.matcher(leaf).matches()) {
                bias = d;
            }
        }
        if (kernel == null || bias == null) {
            throw new VggImportException(file + ": layer " + group + ": expected a kernel and a bias dataset, found " + datasets);
        }
        return new Conv(name, readDataset(archive, join(root, group), kernel), readDataset(archive, join(root, group), bias));
    }

    private static void collectDatasets(Hdf5Archive archive, String group, String prefix, List<String> out) {
        for (String d : archive.getDataSets(group)) {
            out.add(prefix + d);
        }
        for (String g : archive.getGroups(group)) {
            collectDatasets(archive, group + "/" + g, prefix + g + "/", out);
        }
    }

    private static INDArray readDataset(Hdf5Archive archive, String group, String relativePath) throws IOException {
        String full = group + "/" + relativePath;
        int slash = full.lastIndexOf('/');
        try {
            return archive.readDataSet(full.substring(slash + 1), full.substring(0, slash)).castTo(DataType.FLOAT);
        } catch (org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException e) {
            throw new IOException(full + ": " + e.getMessage(), e);
        }
    }

    private static String root(Hdf5Archive archive) {
        return archive.getGroups().contains("model_weights") ? "/model_weights" : "/";
    }

    private static String join(String root, String group) {
        return root.endsWith("/") ? root + group : root + "/" + group;
    }

    private static Hdf5Archive open(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "weights file not found");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new VggImportException(file + ": not a readable file");
        }
        byte[] head = new byte[HDF5_SIGNATURE.length];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n == 0) {
            throw new VggImportException(file + ": empty file, expected a Keras HDF5 weights file");
        }
        if (n < head.length || !Arrays.equals(head, HDF5_SIGNATURE)) {
            throw new VggImportException(file + ": not an HDF5 file (expected a Keras .h5 weights file)");
        }
        try {
            return new Hdf5Archive(file.toString());
        } catch (RuntimeException e) {
            throw corrupt(file, e);
        }
    }

    private static VggImportException corrupt(Path file, RuntimeException e) {
        return new VggImportException(file + ": cannot read HDF5 (truncated or corrupt file?): " + e.getMessage(), e);
    }
}
