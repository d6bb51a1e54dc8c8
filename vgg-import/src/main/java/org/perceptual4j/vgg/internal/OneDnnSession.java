package org.perceptual4j.vgg.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc_base;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.internal.AbstractFeatureSession;

/**
 * A {@link org.perceptual4j.core.FeatureSession} of a plain sequential network (3x3 same-padded
 * stride-1 convolutions with bias, ReLUs, 2x2 stride-2 poolings, as in VGG) run by oneDNN
 * primitives called directly.
 *
 * <p>Hand-written because no library does this from Java: ND4J's SameDiff runs oneDNN per op with a
 * reorder from and to NCHW around every convolution, and its convolution backprop always computes
 * the weight gradients, which a frozen network does not need. Here the activations stay in the
 * blocked layouts the primitives choose (nChw16c for f32) from the first convolution to the last,
 * the backward pass computes only data gradients (convolution backward-data, ReLU and pooling
 * backward), ReLUs are fused into the convolutions as post-ops, and every buffer, primitive and
 * argument list is made once per session: a forward or backward call allocates nothing but the
 * returned gradient. Only the requested layers are converted to NCHW ND4J arrays.
 *
 * <p>Memory: a gradient session keeps every activation (the ReLU outputs are needed by the ReLU
 * backward) and max-pooling workspace, the other activations in one shared buffer, and one buffer for
 * the gradients (see {@link #planGradients});
 * a forward-only session keeps two ping-pong buffers for the activations. One user-managed
 * scratchpad serves all primitives. All large buffers are ND4J arrays, released on {@link #close()}.
 */
public final class OneDnnSession extends AbstractFeatureSession {

    /** What a layer does. */
    public enum Kind { CONV, RELU, MAX_POOL, AVG_POOL }

    /** One layer: its canonical name, kind, and for a convolution its index in {@link OneDnnWeights}. */
    public record Layer(String name, Kind kind, int conv) {
    }

    /** How the convolutions compute. */
    public enum Convolutions {
        /** fp32, direct (oneDNN's JIT kernels). */
        DIRECT,
        /** fp32, Winograd F(4x4, 3x3) where oneDNN implements it (channel counts multiple of 16), direct elsewhere. */
        WINOGRAD,
        /** bf16 activations, gradients and weights, fp32 accumulation; biases and the session's outputs fp32. */
        BF16
    }

    private static final long[] ONES = {1, 1};
    private static final long[] TWOS = {2, 2};
    private static final long[] ZEROS = {0, 0};

    private final engine engine = OneDnn.engine();
    private final Convolutions convolutions;
    private final memory.data_type type;
    private final boolean training;
    private final List<Pointer> owned = new ArrayList<>();
    /** ND4J arrays holding the session's large buffers. */
    private final List<INDArray> arrays = new ArrayList<>();
    private final stream stream;
    private final long[] shape;
    private final INDArray input;
    private final memory inputMemory;
    private final List<Op> ops = new ArrayList<>();
    private final List<Step> forwardSteps = new ArrayList<>();
    private final Map<String, Node> nodeOf = new LinkedHashMap<>();
    private final Map<String, INDArray> outputs = new LinkedHashMap<>();
    private final List<primitive_desc_base> allDescs = new ArrayList<>();
    private memory gradientMemory;
    private Step gradientOut;

    /**
     * @param weights the convolution weights
     * @param layers the network from its input up to the deepest requested layer
     * @param tapLayer requested name to the index in {@code layers} of its layer
     * @param inputShape {@code [N, C, H, W]}
     * @param convolutions how the convolutions compute
     * @param training true to support {@link #backward}; false for features only (less memory)
     */
    public OneDnnSession(OneDnnWeights weights, List<Layer> layers, Map<String, Integer> tapLayer, long[] inputShape,
            Convolutions convolutions, boolean training) {
        super(tapLayer.keySet(), inputShape);
        if (layers.isEmpty() || layers.get(0).kind() != Kind.CONV) {
            throw new IllegalArgumentException("expected a network that starts with a convolution, got " + layers);
        }
        this.convolutions = convolutions;
        this.type = convolutions == Convolutions.BF16 ? memory.data_type.bf16 : memory.data_type.f32;
        this.training = training;
        this.shape = inputShape.clone();
        this.input = Nd4j.createUninitializedDetached(DataType.FLOAT, 'c', inputShape);
        arrays.add(input);
        boolean built = false;
        try {
            this.stream = keep(new stream(engine));
            this.inputMemory = keep(new memory(plain(inputShape), engine, Native.address(input)));
            Node network = describe(weights, layers, tapLayer);
            allocate(network);
            buildSteps(weights, network);
            built = true;
        } finally {
            if (!built) {
                release();
            }
        }
    }

    // ------------------------------------------------------------------------------------ running

    @Override
    protected Map<String, INDArray> doForward(INDArray networkInput) {
        input.assign(networkInput);
        for (Step s : forwardSteps) {
            s.run(stream);
        }
        stream._wait();
        return outputs;
    }

    @Override
    protected INDArray doBackward(Map<String, INDArray> featureGradients) {
        if (!training) {
            throw new IllegalStateException("backward: this session was opened for features only");
        }
        int start = ops.size() - 1;
        while (start >= 0 && !hasGradient(ops.get(start).out, featureGradients)) {
            start--;
        }
        if (start < 0) {
            return Nd4j.zeros(DataType.FLOAT, shape);
        }
        List<INDArray> keepAlive = new ArrayList<>();
        boolean accumulated = false;
        for (int k = start; k >= 0; k--) {
            Op op = ops.get(k);
            for (String name : op.out.taps) {
                INDArray g = featureGradients.get(name);
                if (g != null) {
                    INDArray dense = Native.contiguousFloat(g);
                    keepAlive.add(dense);
                    Injection in = op.out.injections.get(name);
                    in.user.set_data_handle(Native.address(dense));
                    (accumulated ? in.add : in.set).run(stream);
                    accumulated = true;
                }
            }
            for (Step s : op.backward) {
                s.run(stream);
            }
        }
        INDArray gradient = Nd4j.createUninitializedDetached(DataType.FLOAT, 'c', shape);
        gradientMemory.set_data_handle(Native.address(gradient));
        gradientOut.run(stream);
        stream._wait();
        keepAlive.clear();
        return gradient;
    }

    private static boolean hasGradient(Node node, Map<String, INDArray> gradients) {
        for (String name : node.taps) {
            if (gradients.get(name) != null) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void release() {
        List<Pointer> all = new ArrayList<>(owned);
        owned.clear();
        Collections.reverse(all);
        for (Pointer p : all) {
            p.close();
        }
        for (INDArray a : arrays) {
            a.close();
        }
        arrays.clear();
    }

    /** The oneDNN implementation of each primitive, in order, e.g. "jit:avx512_common", for diagnostics. */
    public List<String> implementations() {
        List<String> names = new ArrayList<>();
        for (primitive_desc_base d : allDescs) {
            names.add(d.impl_info_str().getString());
        }
        return names;
    }

    // ------------------------------------------------------------------------- building: phase 1

    /** An activation: its layout and, once allocated, its memory and gradient. */
    private static final class Node {
        final memory.desc desc;
        memory mem;
        /** Where {@link #mem} points (training sessions). */
        Pointer at;
        memory.desc diffDesc;
        memory diff;
        /** Requested names whose layer is this activation. */
        final List<String> taps = new ArrayList<>();
        INDArray plain;
        final Map<String, Injection> injections = new HashMap<>();

        Node(memory.desc desc) {
            this.desc = desc;
        }
    }

    /** Adds a caller's NCHW gradient into a node's blocked gradient: set (the first) or add (the rest). */
    private record Injection(memory user, Step set, Step add) {
    }

    /** One forward operation and what its backward needs. */
    private static final class Op {
        final Kind kind;
        final Node in;
        final Node out;
        final int conv;
        final boolean fusedRelu;
        primitive_desc_base forward;
        convolution_backward_data.primitive_desc backwardData;
        eltwise_backward.primitive_desc reluBackward;
        pooling_backward.primitive_desc poolBackward;
        memory workspace;
        final List<Step> backward = new ArrayList<>();

        Op(Kind kind, Node in, Node out, int conv, boolean fusedRelu) {
            this.kind = kind;
            this.in = in;
            this.out = out;
            this.conv = conv;
            this.fusedRelu = fusedRelu;
        }
    }

    private record Step(primitive primitive, IntMemoryMap args) {
        void run(stream s) {
            primitive.execute(s, args);
        }
    }

    /** Creates the forward (and backward) primitive descriptors and the activations' layouts. */
    private Node describe(OneDnnWeights weights, List<Layer> layers, Map<String, Integer> tapLayer) {
        Map<Integer, Node> nodeOfLayer = new HashMap<>();
        Node network = null;
        Node current = null;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Op op;
            if (layer.kind() == Kind.CONV) {
                boolean fuse = i + 1 < layers.size() && layers.get(i + 1).kind() == Kind.RELU && !tapLayer.containsValue(i);
                op = convolution(weights, layer.conv(), current, fuse);
                if (current == null) {
                    network = op.in;
                }
                if (fuse) {
                    i++;
                }
            } else if (layer.kind() == Kind.RELU) {
                op = relu(current);
            } else {
                op = pooling(current, layer.kind());
            }
            nodeOfLayer.put(i, op.out);
            ops.add(op);
            current = op.out;
        }
        tapLayer.forEach((name, index) -> {
            Node node = nodeOfLayer.get(index);
            node.taps.add(name);
            nodeOf.put(name, node);
        });
        if (training) {
            describeBackward();
        }
        return network;
    }

    private Op convolution(OneDnnWeights weights, int conv, Node in, boolean fuseRelu) {
        long[] inDims = in == null ? shape : dims(in.desc);
        long oc = weights.outChannels(conv);
        if (inDims[1] != weights.inChannels(conv)) {
            throw new IllegalArgumentException("convolution " + conv + ": expected " + weights.inChannels(conv)
                    + " input channels, got " + inDims[1]);
        }
        long[] outDims = {inDims[0], oc, inDims[2], inDims[3]};
        memory.desc src = in == null ? any(inDims) : in.desc;
        memory.desc kernel = keep(new memory.desc(new long[] {oc, inDims[1], 3, 3}, type, memory.format_tag.any));
        memory.desc bias = keep(new memory.desc(new long[] {oc}, memory.data_type.f32, memory.format_tag.x));
        memory.desc dst = any(outDims);
        primitive_attr attr = attributes(fuseRelu ? dnnl.algorithm.eltwise_relu : null, false);
        // forward_training also for forward-only sessions: oneDNN then picks the nChw16c kernels whose
        // backward-data counterparts are fast (forward_inference picks brgconv with NHWC activations, for
        // which backward-data runs at half speed), and both kinds of session share one weight layout
        dnnl.prop_kind prop = dnnl.prop_kind.forward_training;
        convolution_forward.primitive_desc pd = null;
        if (convolutions == Convolutions.WINOGRAD) {
            pd = tryCreate(() -> new convolution_forward.primitive_desc(keep(new convolution_forward.desc(prop,
                    dnnl.algorithm.convolution_winograd, src, kernel, bias, dst, ONES, ONES, ONES)), attr, engine));
        }
        if (pd == null) {
            pd = new convolution_forward.primitive_desc(keep(new convolution_forward.desc(prop,
                    dnnl.algorithm.convolution_direct, src, kernel, bias, dst, ONES, ONES, ONES)), attr, engine);
        }
        keep(pd);
        allDescs.add(pd);
        Node source = in == null ? new Node(keep(pd.src_desc())) : in;
        Op op = new Op(Kind.CONV, source, new Node(keep(pd.dst_desc())), conv, fuseRelu);
        op.forward = pd;
        return op;
    }

    private Op relu(Node in) {
        eltwise_forward.primitive_desc pd = keep(new eltwise_forward.primitive_desc(keep(new eltwise_forward.desc(
                training ? dnnl.prop_kind.forward_training : dnnl.prop_kind.forward_inference,
                dnnl.algorithm.eltwise_relu_use_dst_for_bwd, in.desc, 0f, 0f)), attributes(null, false), engine));
        allDescs.add(pd);
        Op op = new Op(Kind.RELU, in, new Node(keep(pd.dst_desc())), -1, false);
        op.forward = pd;
        return op;
    }

    private Op pooling(Node in, Kind kind) {
        long[] d = dims(in.desc);
        memory.desc dst = any(new long[] {d[0], d[1], d[2] / 2, d[3] / 2});
        pooling_forward.primitive_desc pd = keep(new pooling_forward.primitive_desc(keep(new pooling_forward.desc(
                training ? dnnl.prop_kind.forward_training : dnnl.prop_kind.forward_inference, poolingAlgorithm(kind),
                in.desc, dst, TWOS, TWOS, ZEROS, ZEROS)), attributes(null, false), engine));
        allDescs.add(pd);
        Op op = new Op(kind, in, new Node(keep(pd.dst_desc())), -1, false);
        op.forward = pd;
        return op;
    }

    private void describeBackward() {
        for (Op op : ops) {
            op.out.diffDesc = op.out.desc;
            if (op.kind == Kind.CONV) {
                convolution_forward.primitive_desc fwd = (convolution_forward.primitive_desc) op.forward;
                boolean first = op == ops.get(0);
                // the network input's gradient layout is the primitive's choice: it is reordered to NCHW at the end
                memory.desc diffSrc = first ? any(dims(op.in.desc)) : op.in.desc;
                memory.desc kernel = keep(new memory.desc(dims(fwd.weights_desc()), type, memory.format_tag.any));
                convolution_backward_data.primitive_desc pd = null;
                if (convolutions == Convolutions.WINOGRAD) {
                    pd = tryCreate(() -> new convolution_backward_data.primitive_desc(keep(new convolution_backward_data.desc(
                            dnnl.algorithm.convolution_winograd, diffSrc, kernel, op.out.desc, ONES, ONES, ONES)),
                            attributes(null, false), engine, fwd));
                }
                if (pd == null) {
                    pd = new convolution_backward_data.primitive_desc(keep(new convolution_backward_data.desc(
                            dnnl.algorithm.convolution_direct, diffSrc, kernel, op.out.desc, ONES, ONES, ONES)),
                            attributes(null, false), engine, fwd);
                }
                op.backwardData = keep(pd);
                allDescs.add(pd);
                op.in.diffDesc = first ? keep(pd.diff_src_desc()) : op.in.desc;
                if (op.fusedRelu) {
                    op.reluBackward = reluBackward(op.out.desc);
                }
            } else if (op.kind == Kind.RELU) {
                op.in.diffDesc = op.in.desc;
                op.reluBackward = reluBackward(op.out.desc);
            } else {
                pooling_forward.primitive_desc fwd = (pooling_forward.primitive_desc) op.forward;
                op.poolBackward = keep(new pooling_backward.primitive_desc(keep(new pooling_backward.desc(
                        poolingAlgorithm(op.kind), op.in.desc, op.out.desc, TWOS, TWOS, ZEROS, ZEROS)),
                        attributes(null, false), engine, fwd));
                allDescs.add(op.poolBackward);
                op.in.diffDesc = op.in.desc;
            }
        }
    }

    private eltwise_backward.primitive_desc reluBackward(memory.desc data) {
        eltwise_forward.primitive_desc hint = keep(new eltwise_forward.primitive_desc(keep(new eltwise_forward.desc(
                dnnl.prop_kind.forward_training, dnnl.algorithm.eltwise_relu_use_dst_for_bwd, data, 0f, 0f)), engine));
        eltwise_backward.primitive_desc pd = keep(new eltwise_backward.primitive_desc(keep(new eltwise_backward.desc(
                dnnl.algorithm.eltwise_relu_use_dst_for_bwd, data, data, 0f, 0f)), attributes(null, false), engine, hint));
        allDescs.add(pd);
        return pd;
    }

    // ------------------------------------------------------------------------- building: phase 2

    private Pointer scratchpad;

    /** Allocates activations (own buffers when training, two ping-pong buffers otherwise) and gradients. */
    private void allocate(Node network) {
        List<Node> nodes = new ArrayList<>();
        nodes.add(network);
        for (Op op : ops) {
            nodes.add(op.out);
        }
        // the network input is the caller's NCHW copy itself when the first convolution takes that layout
        boolean ownInput = !network.desc.equals(inputMemory.get_desc());
        if (!ownInput) {
            network.mem = inputMemory;
            network.at = Native.address(input);
        }
        if (training) {
            allocateActivations(nodes);
            for (Op op : ops) {
                if (op.kind == Kind.MAX_POOL) {
                    memory.desc ws = keep(((pooling_forward.primitive_desc) op.forward).workspace_desc());
                    op.workspace = keep(new memory(ws, engine, buffer(ws.get_size())));
                }
            }
            planGradients(nodes, network);
        } else {
            long size = 0;
            for (Node n : nodes) {
                size = Math.max(size, n.desc.get_size());
            }
            Pointer[] pingPong = {buffer(size), buffer(size)};
            for (int i = ownInput ? 0 : 1; i < nodes.size(); i++) {
                nodes.get(i).mem = keep(new memory(nodes.get(i).desc, engine, pingPong[i % 2]));
            }
        }
        for (Node n : new java.util.LinkedHashSet<>(nodeOf.values())) {
            n.plain = Nd4j.createUninitializedDetached(DataType.FLOAT, 'c', dims(n.desc));
            if (training) {
                // a forward-only session's outputs are handed over (features()); a gradient session's are its buffers
                arrays.add(n.plain);
            }
        }
        nodeOf.forEach((name, n) -> outputs.put(name, n.plain));
    }

    /**
     * Activations of a gradient session. ReLU outputs are kept, each in its own buffer: the ReLU
     * backward needs them. All others (pooling outputs, the network input in the convolution's
     * layout, convolution outputs before an unfused ReLU) are read only by the next operation of the
     * forward pass, so they share one buffer (two where two of them follow each other).
     */
    private void allocateActivations(List<Node> nodes) {
        Map<Node, Integer> sharedOf = new HashMap<>();
        long[] sharedSize = new long[2];
        int current = 0;
        boolean previousShared = false;
        for (Node n : nodes) {
            if (n.mem != null) {
                previousShared = false;
            } else if (isReluOutput(n)) {
                n.at = buffer(n.desc.get_size());
                n.mem = keep(new memory(n.desc, engine, n.at));
                previousShared = false;
            } else {
                current = previousShared ? 1 - current : 0;
                sharedOf.put(n, current);
                sharedSize[current] = Math.max(sharedSize[current], n.desc.get_size());
                previousShared = true;
            }
        }
        Pointer[] shared = {sharedSize[0] > 0 ? buffer(sharedSize[0]) : null, sharedSize[1] > 0 ? buffer(sharedSize[1]) : null};
        sharedOf.forEach((n, b) -> {
            n.at = shared[b];
            n.mem = keep(new memory(n.desc, engine, n.at));
        });
    }

    private boolean isReluOutput(Node n) {
        for (Op op : ops) {
            if (op.out == n) {
                return op.kind == Kind.RELU || op.kind == Kind.CONV && op.fusedRelu;
            }
        }
        return false;
    }

    /**
     * Places the gradients so that one buffer, sized for the largest ReLU output, is enough:
     * <ul>
     *   <li>a ReLU output's gradient goes to that buffer; the ReLU backward then writes its result over
     *   the ReLU's own output activation (element-wise, so in place is safe, and the activation is not
     *   needed afterwards: hence one backward per forward), where the convolution before it reads it;</li>
     *   <li>the gradient of any other activation (a pooling output, a convolution output) goes over
     *   that activation itself, dead by then;</li>
     *   <li>the network input's gradient goes to the buffer (the convolution's layout may be larger).</li>
     * </ul>
     * Every backward operation thus reads and writes different memory.
     */
    private void planGradients(List<Node> nodes, Node network) {
        Map<Node, Node> reluAfter = new HashMap<>();
        for (Op op : ops) {
            if (op.kind == Kind.RELU) {
                reluAfter.put(op.in, op.out);
            }
        }
        long size = network.diffDesc.get_size();
        for (Node n : nodes) {
            if (isReluOutput(n)) {
                size = Math.max(size, n.diffDesc.get_size());
            }
        }
        Pointer gradients = buffer(size);
        for (Node n : nodes) {
            Pointer at;
            if (n == network || isReluOutput(n)) {
                at = gradients;
            } else if (reluAfter.containsKey(n)) {
                at = reluAfter.get(n).at;
            } else {
                at = n.at;
            }
            n.diff = keep(new memory(n.diffDesc, engine, at));
        }
    }

    // ------------------------------------------------------------------------- building: phase 3

    private void buildSteps(OneDnnWeights weights, Node network) {
        // reorders are described here, so their scratchpad needs are known before it is allocated
        Map<Node, reorder.primitive_desc> tapOut = new LinkedHashMap<>();
        for (Node n : new java.util.LinkedHashSet<>(nodeOf.values())) {
            tapOut.put(n, reorderDesc(n.desc, plain(dims(n.desc)), false));
        }
        reorder.primitive_desc in = network.desc.equals(inputMemory.get_desc()) ? null
                : reorderDesc(inputMemory.get_desc(), network.desc, false);
        reorder.primitive_desc out = null;
        Map<Node, reorder.primitive_desc[]> injectDescs = new LinkedHashMap<>();
        if (training) {
            out = reorderDesc(network.diffDesc, plain(shape), false);
            for (Node n : new java.util.LinkedHashSet<>(nodeOf.values())) {
                injectDescs.put(n, new reorder.primitive_desc[] {
                    reorderDesc(plain(dims(n.desc)), n.diffDesc, false), reorderDesc(plain(dims(n.desc)), n.diffDesc, true)});
            }
        }
        long scratch = 1;
        for (primitive_desc_base d : allDescs) {
            scratch = Math.max(scratch, d.scratchpad_desc().get_size());
        }
        scratchpad = buffer(scratch);

        if (in != null) {
            forwardSteps.add(step(new reorder(in), in, dnnl.DNNL_ARG_SRC, inputMemory, dnnl.DNNL_ARG_DST, network.mem));
        }
        for (Op op : ops) {
            if (op.kind == Kind.CONV) {
                convolution_forward.primitive_desc pd = (convolution_forward.primitive_desc) op.forward;
                forwardSteps.add(step(new convolution_forward(pd), pd, dnnl.DNNL_ARG_SRC, op.in.mem,
                        dnnl.DNNL_ARG_WEIGHTS, weights.kernel(op.conv, keep(pd.weights_desc())),
                        dnnl.DNNL_ARG_BIAS, weights.bias(op.conv), dnnl.DNNL_ARG_DST, op.out.mem));
            } else if (op.kind == Kind.RELU) {
                eltwise_forward.primitive_desc pd = (eltwise_forward.primitive_desc) op.forward;
                forwardSteps.add(step(new eltwise_forward(pd), pd, dnnl.DNNL_ARG_SRC, op.in.mem, dnnl.DNNL_ARG_DST, op.out.mem));
            } else {
                pooling_forward.primitive_desc pd = (pooling_forward.primitive_desc) op.forward;
                forwardSteps.add(op.workspace == null
                        ? step(new pooling_forward(pd), pd, dnnl.DNNL_ARG_SRC, op.in.mem, dnnl.DNNL_ARG_DST, op.out.mem)
                        : step(new pooling_forward(pd), pd, dnnl.DNNL_ARG_SRC, op.in.mem, dnnl.DNNL_ARG_DST, op.out.mem,
                                dnnl.DNNL_ARG_WORKSPACE, op.workspace));
            }
            reorder.primitive_desc toPlain = tapOut.get(op.out);
            if (toPlain != null) {
                memory plainMemory = keep(new memory(toPlain.dst_desc(), engine, Native.address(op.out.plain)));
                forwardSteps.add(step(new reorder(toPlain), toPlain, dnnl.DNNL_ARG_SRC, op.out.mem, dnnl.DNNL_ARG_DST, plainMemory));
            }
        }
        if (!training) {
            return;
        }
        for (Op op : ops) {
            if (op.reluBackward != null) {
                op.backward.add(step(new eltwise_backward(op.reluBackward), op.reluBackward, dnnl.DNNL_ARG_DST, op.out.mem,
                        dnnl.DNNL_ARG_DIFF_DST, op.out.diff, dnnl.DNNL_ARG_DIFF_SRC, op.kind == Kind.RELU ? op.in.diff : op.out.mem));
            }
            if (op.backwardData != null) {
                convolution_backward_data.primitive_desc pd = op.backwardData;
                // after a fused ReLU's backward the convolution's output gradient lies over the activation
                op.backward.add(step(new convolution_backward_data(pd), pd, dnnl.DNNL_ARG_DIFF_DST, op.fusedRelu ? op.out.mem : op.out.diff,
                        dnnl.DNNL_ARG_WEIGHTS, weights.kernel(op.conv, keep(pd.weights_desc())), dnnl.DNNL_ARG_DIFF_SRC, op.in.diff));
            }
            if (op.poolBackward != null) {
                pooling_backward.primitive_desc pd = op.poolBackward;
                op.backward.add(op.workspace == null
                        ? step(new pooling_backward(pd), pd, dnnl.DNNL_ARG_DIFF_DST, op.out.diff, dnnl.DNNL_ARG_DIFF_SRC, op.in.diff)
                        : step(new pooling_backward(pd), pd, dnnl.DNNL_ARG_DIFF_DST, op.out.diff, dnnl.DNNL_ARG_DIFF_SRC, op.in.diff,
                                dnnl.DNNL_ARG_WORKSPACE, op.workspace));
            }
        }
        injectDescs.forEach((node, pds) -> {
            for (String name : node.taps) {
                memory user = keep(new memory(pds[0].src_desc(), engine, Native.address(node.plain)));
                node.injections.put(name, new Injection(user,
                        step(new reorder(pds[0]), pds[0], dnnl.DNNL_ARG_SRC, user, dnnl.DNNL_ARG_DST, node.diff),
                        step(new reorder(pds[1]), pds[1], dnnl.DNNL_ARG_SRC, user, dnnl.DNNL_ARG_DST, node.diff)));
            }
        });
        gradientMemory = keep(new memory(out.dst_desc(), engine, Native.address(input)));
        gradientOut = step(new reorder(out), out, dnnl.DNNL_ARG_SRC, network.diff, dnnl.DNNL_ARG_DST, gradientMemory);
    }

    private reorder.primitive_desc reorderDesc(memory.desc from, memory.desc to, boolean accumulate) {
        primitive_attr attr = attributes(null, accumulate);
        reorder.primitive_desc pd = keep(new reorder.primitive_desc(engine, from, engine, to, attr, false));
        allDescs.add(pd);
        return pd;
    }

    /** A primitive with its arguments (pairs of DNNL_ARG_* and memory) and the shared scratchpad. */
    private Step step(primitive p, primitive_desc_base pd, Object... args) {
        keep(p);
        IntMemoryMap map = keep(new IntMemoryMap());
        for (int i = 0; i < args.length; i += 2) {
            map.put((Integer) args[i], (memory) args[i + 1]);
        }
        memory.desc sd = keep(pd.scratchpad_desc());
        if (sd.get_size() > 0) {
            map.put(dnnl.DNNL_ARG_SCRATCHPAD, keep(new memory(sd, engine, scratchpad)));
        }
        return new Step(p, map);
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Attributes: a user-managed scratchpad, optionally a fused element-wise post-op or accumulation (sum). */
    private primitive_attr attributes(dnnl.algorithm eltwise, boolean accumulate) {
        primitive_attr attr = keep(new primitive_attr());
        attr.set_scratchpad_mode(dnnl.scratchpad_mode.user);
        if (eltwise != null || accumulate) {
            post_ops po = keep(new post_ops());
            if (eltwise != null) {
                po.append_eltwise(1f, eltwise, 0f, 0f);
            }
            if (accumulate) {
                po.append_sum(1f, memory.data_type.undef);
            }
            attr.set_post_ops(po);
        }
        return attr;
    }

    private static dnnl.algorithm poolingAlgorithm(Kind kind) {
        return kind == Kind.MAX_POOL ? dnnl.algorithm.pooling_max : dnnl.algorithm.pooling_avg_exclude_padding;
    }

    private memory.desc any(long[] dims) {
        return keep(new memory.desc(dims, type, memory.format_tag.any));
    }

    private memory.desc plain(long[] dims) {
        return keep(new memory.desc(dims, memory.data_type.f32, memory.format_tag.nchw));
    }

    private static long[] dims(memory.desc d) {
        org.bytedeco.dnnl.dnnl_memory_desc_t data = d.data();
        long[] out = new long[data.ndims()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.dims().get(i);
        }
        return out;
    }

    private Pointer buffer(long bytes) {
        Native.Buffer b = Native.aligned(bytes);
        arrays.add(b.owner());
        return b.pointer();
    }

    private <P extends Pointer> P keep(P p) {
        owned.add(p);
        return p;
    }

    /** Creates a descriptor, or returns null if oneDNN has no implementation for it. */
    private static <T> T tryCreate(java.util.function.Supplier<T> create) {
        try {
            return create.get();
        } catch (RuntimeException unsupported) {
            return null;
        }
    }
}
