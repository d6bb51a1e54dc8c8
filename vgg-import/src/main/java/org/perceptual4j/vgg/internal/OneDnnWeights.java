package org.perceptual4j.vgg.internal;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The frozen 3x3 convolution weights of a network, reordered once into each layout oneDNN asks for
 * (forward and backward-data kernels often want different blockings, bf16 yet others) and then
 * shared by every session, on every thread.
 */
public final class OneDnnWeights {
    private final List<INDArray> kernels;
    private final List<INDArray> biases;
    /** Per convolution: the layouts made so far. Guarded by {@code this}. */
    private final List<List<memory>> layouts = new ArrayList<>();
    private final memory[] biasMemories;

    /**
     * @param kernels per convolution, {@code [3, 3, in, out]} (Keras HWIO), float
     * @param biases per convolution, {@code [out]}
     */
    public OneDnnWeights(List<INDArray> kernels, List<INDArray> biases) {
        this.kernels = List.copyOf(kernels);
        this.biases = List.copyOf(biases);
        for (int i = 0; i < kernels.size(); i++) {
            layouts.add(new ArrayList<>());
        }
        this.biasMemories = new memory[kernels.size()];
    }

    long inChannels(int conv) {
        return kernels.get(conv).size(2);
    }

    long outChannels(int conv) {
        return kernels.get(conv).size(3);
    }

    /** The kernel of {@code conv} in layout {@code desc} (logical dims OIHW), made on first request. */
    synchronized memory kernel(int conv, memory.desc desc) {
        for (memory m : layouts.get(conv)) {
            if (m.get_desc().equals(desc)) {
                return m;
            }
        }
        INDArray k = Native.contiguousFloat(kernels.get(conv));
        long[] oihw = {outChannels(conv), inChannels(conv), k.size(0), k.size(1)};
        memory made = reordered(new memory.desc(oihw, memory.data_type.f32, memory.format_tag.hwio), k, desc);
        layouts.get(conv).add(made);
        return made;
    }

    /** The bias of {@code conv}, f32. */
    synchronized memory bias(int conv) {
        if (biasMemories[conv] == null) {
            INDArray b = Native.contiguousFloat(biases.get(conv));
            memory.desc d = new memory.desc(new long[] {b.length()}, memory.data_type.f32, memory.format_tag.x);
            biasMemories[conv] = reordered(d, b, d);
        }
        return biasMemories[conv];
    }

    /** A library-owned copy of {@code source} (described by {@code sourceDesc}) in layout {@code target}. */
    private static memory reordered(memory.desc sourceDesc, INDArray source, memory.desc target) {
        memory dst = new memory(target, OneDnn.engine());
        try (memory src = new memory(sourceDesc, OneDnn.engine(), Native.address(source));
                stream s = new stream(OneDnn.engine());
                reorder r = new reorder(src, dst)) {
            r.execute(s, src, dst);
            s._wait();
        }
        return dst;
    }
}
