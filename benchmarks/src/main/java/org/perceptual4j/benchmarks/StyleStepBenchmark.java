package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.optim.Evaluation;
import org.perceptual4j.optim.Objective;
import org.perceptual4j.style.StyleTransfer;
import org.perceptual4j.vgg.Vgg19;

/**
 * One style-transfer step (all loss terms and the gradient w.r.t. the image) on VGG19 with the
 * default layers. The weights file is given with {@code -Dperceptual4j.bench.weights=PATH} (a real
 * Keras VGG19 file, or a random-weight one of the same shape from
 * {@code vgg-import/src/test/python/generate_vgg19_shaped.py --widths 64,128,256,512,512}: the
 * timing does not depend on the weight values).
 *
 * <p>Run: {@code mvn -Pbenchmarks-jar -DskipTests package -pl benchmarks -am && java
 * -Dperceptual4j.bench.weights=vgg19.h5 -jar benchmarks/target/perceptual4j-benchmarks.jar StyleStep}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g"})
public class StyleStepBenchmark {
    @Param({"256"})
    public int size;

    private Objective objective;
    private INDArray x;

    @Setup
    public void setUp() throws IOException {
        NativeBinaries.selectForThisCpu();
        String weights = System.getProperty("perceptual4j.bench.weights");
        if (weights == null) {
            throw new IllegalStateException("set -Dperceptual4j.bench.weights=PATH to a Keras VGG19 weights file");
        }
        INDArray content = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
        INDArray style = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
        StyleTransfer config = StyleTransfer.builder().featureExtractor(Vgg19.fromKeras(Path.of(weights)))
                .content(content).style(style).size(size).build();
        objective = config.objective();
        x = config.initialPoint();
    }

    @Benchmark
    public Evaluation styleStep() {
        return objective.evaluate(x);
    }
}
