package org.perceptual4j.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A workload measured on both sides: the JMH benchmark method (and its {@code size} parameter) and
 * the torch_bench.py workload of the same name.
 *
 * @param id short name, also the torch_bench.py workload
 * @param label what the table calls it
 * @param benchmarkClass the JMH benchmark class
 * @param method its benchmark method
 * @param size the image side for sized workloads, 0 otherwise
 * @param flops floating-point operations per call (see {@link Flops}), NaN where the count means nothing
 */
record Workload(String id, String label, Class<?> benchmarkClass, String method, int size, double flops) {
    static final String FEATURES = "features";
    static final String STYLE_STEP = "style_step";
    static final String GRAM = "gram";
    static final String LBFGS_STEP = "lbfgs_step";
    static final String LBFGS_OBJECTIVE = "lbfgs_objective";
    static final String TRANSFORM_NET = "transform_net";

    /** The JMH include pattern selecting exactly this method. */
    String jmhInclude() {
        return "^" + java.util.regex.Pattern.quote(benchmarkClass.getName() + "." + method) + "$";
    }

    /** JMH parameters: {@code size} for sized workloads. */
    Map<String, String> jmhParams() {
        return size > 0 ? Map.of("size", Integer.toString(size)) : Map.of();
    }

    /** A key unique among the workloads, e.g. {@code style_step@512}. */
    String key() {
        return size > 0 ? id + "@" + size : id;
    }

    /** Megapixels of the image, for sized workloads. */
    double megapixels() {
        return (double) size * size / 1e6;
    }

    /** The comparison's workloads, in the order they run and are reported. */
    static List<Workload> all(List<Integer> featureSizes, List<Integer> stepSizes, List<Integer> transformSizes) {
        List<Workload> w = new ArrayList<>();
        for (int s : featureSizes) {
            w.add(new Workload(FEATURES, "VGG19 features to relu5_1, " + s + "²", FeaturesBenchmark.class, "features", s,
                    Flops.vgg19Features(s)));
        }
        for (int s : stepSizes) {
            w.add(new Workload(STYLE_STEP, "style step (value + image gradient), " + s + "²", StyleStepBenchmark.class,
                    "styleStep", s, Flops.styleStep(s)));
        }
        for (int s : transformSizes) {
            w.add(new Workload(TRANSFORM_NET, "transform-network inference (fast style transfer), " + s + "²",
                    TransformNetBenchmark.class, "stylize", s, Flops.transformNet(s)));
        }
        w.add(new Workload(GRAM, "Gram matrix, relu1_1 of 512² (64×512×512)", GramBenchmark.class, "gram", 0,
                Flops.gram(GramBenchmark.CHANNELS, GramBenchmark.SIZE * GramBenchmark.SIZE)));
        w.add(new Workload(LBFGS_STEP, "L-BFGS step incl. quadratic objective, 3×512², history 100",
                LbfgsStepBenchmark.class, "step", 0, Double.NaN));
        w.add(new Workload(LBFGS_OBJECTIVE, "quadratic objective alone, 3×512²", LbfgsStepBenchmark.class, "objective", 0,
                Double.NaN));
        return w;
    }
}
