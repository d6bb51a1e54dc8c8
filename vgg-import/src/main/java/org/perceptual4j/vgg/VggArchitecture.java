package org.perceptual4j.vgg;

import java.util.ArrayList;
import java.util.List;

/** The convolution layout of the VGG networks (Simonyan and Zisserman, ICLR 2015). */
public enum VggArchitecture {
    /** Configuration D: 13 convolutions in blocks of 2, 2, 3, 3, 3. */
    VGG16(2, 2, 3, 3, 3),
    /** Configuration E: 16 convolutions in blocks of 2, 2, 4, 4, 4. */
    VGG19(2, 2, 4, 4, 4);

    private final int[] convsPerBlock;

    VggArchitecture(int... convsPerBlock) {
        this.convsPerBlock = convsPerBlock;
    }

    /** Number of 3x3 convolutions in each of the five blocks. */
    public int[] convsPerBlock() {
        return convsPerBlock.clone();
    }

    /** Total number of convolutions. */
    public int convolutions() {
        int n = 0;
        for (int c : convsPerBlock) {
            n += c;
        }
        return n;
    }

    /** Canonical layer names in order: conv1_1, relu1_1, conv1_2, relu1_2, pool1, conv2_1, ... pool5. */
    public List<String> layerNames() {
        List<String> names = new ArrayList<>();
        for (int b = 1; b <= convsPerBlock.length; b++) {
            for (int i = 1; i <= convsPerBlock[b - 1]; i++) {
                names.add("conv" + b + "_" + i);
                names.add("relu" + b + "_" + i);
            }
            names.add("pool" + b);
        }
        return List.copyOf(names);
    }

    /** Keras group name of a convolution, e.g. block4_conv2 for block 4, conv 2. */
    static String kerasConvName(int block, int conv) {
        return "block" + block + "_conv" + conv;
    }
}
