package org.perceptual4j.fast;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.perceptual4j.core.internal.Graphs;
import org.perceptual4j.image.Images;
import org.perceptual4j.losses.ContentLoss;
import org.perceptual4j.losses.StyleLoss;
import org.perceptual4j.losses.TotalVariationLoss;
import org.perceptual4j.style.LossRecord;

/** One call of {@link FastStyleTrainer#train()}: the graph, Adam's state, the data stream and the outputs. */
final class TrainingRun {
    /** The loss log is rewritten at least every this many iterations. */
    static final int LOG_EVERY = 100;
    static final String TRAINING_ENTRY = "training.properties";
    static final String LOSSES_ENTRY = "losses.csv";
    static final String ADAM_PREFIX = "adam/";
    private static final String INPUT = "content";
    private static final String CONTENT_TARGET = "content_target";
    /** The share of the batch in a micro-batch: scales the batch means (content, style); TV is a sum. */
    private static final String MEAN_SCALE = "mean_scale";

    private final FastStyleTrainer t;
    private final List<String> paramNames;
    private final List<LossRecord> history = new ArrayList<>();
    private final Map<String, INDArray> adamState = new LinkedHashMap<>();
    private final Map<String, GradientUpdater<?>> updaters = new LinkedHashMap<>();
    private final Map<String, String> termVariables = new LinkedHashMap<>();
    private TrainingData data;
    private SameDiff sd;
    private String totalVariable;
    private long iteration;
    private long elapsedBeforeMillis;
    private String styleFingerprint;
    private Path lastCheckpoint;
    private long lastCheckpointIteration = -1;

    TrainingRun(FastStyleTrainer trainer) {
        this.t = trainer;
        this.paramNames = List.copyOf(trainer.architecture.parameterShapes().keySet());
    }

    TrainingResult run() throws IOException {
        List<Path> files = ImageFiles.listSome(t.dataDirectory);
        checkOutputs();
        data = new TrainingData(t.dataDirectory, files, t.reader, t.imageSize, t.seed);
        INDArray styleRgb = Images.resizeToLongestSide(t.style, t.styleSize);
        styleFingerprint = md5(styleRgb);
        TransformNet start;
        if (t.resumeFrom != null) {
            start = resume(t.resumeFrom);
        } else {
            start = TransformNet.random(t.architecture, t.seed);
            for (String name : paramNames) {
                adamState.put(name, Nd4j.zeros(DataType.FLOAT, 1, 2 * start.parameter(name).length()));
            }
        }
        Adam adam = Adam.builder().learningRate(t.learningRate).build();
        for (String name : paramNames) {
            updaters.put(name, adam.instantiate(adamState.get(name), false));
        }
        buildGraph(start, styleGrams(styleRgb));
        return loop();
    }

    // ------------------------------------------------------------------------------------ the graph

    private Map<String, INDArray> styleGrams(INDArray styleRgb) {
        if (t.styleWeight == 0) {
            return Map.of();
        }
        Map<String, INDArray> f = t.extractor.features(styleRgb, t.styleLayers);
        Map<String, INDArray> grams = new LinkedHashMap<>();
        for (String l : t.styleLayers) {
            grams.put(l, StyleLoss.gram(f.get(l)));
        }
        return grams;
    }

    /**
     * The training graph: the transform net's parameters as variables, the loss network as constants,
     * the batch and the content features of the batch (computed beforehand, without gradient) as
     * placeholders.
     */
    private void buildGraph(TransformNet start, Map<String, INDArray> grams) {
        sd = SameDiff.create();
        int s = t.imageSize;
        SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, 3, s, s);
        Map<String, SDVariable> weights = new LinkedHashMap<>();
        for (String name : paramNames) {
            weights.put(name, sd.var(name, start.parameter(name).dup()));
        }
        SDVariable y255 = TransformNet.defineScaled(sd, x, s, s, weights);
        SDVariable y = y255.div(TransformNet.SCALE);
        Set<String> layers = new LinkedHashSet<>();
        if (t.contentWeight > 0) {
            layers.add(t.contentLayer);
        }
        if (t.styleWeight > 0) {
            layers.addAll(t.styleLayers);
        }
        List<SDVariable> terms = new ArrayList<>();
        if (!layers.isEmpty()) {
            Map<String, SDVariable> f = t.extractor.define(sd, t.extractor.imageConvention().toNetwork(sd, y), layers);
            SDVariable meanScale = sd.placeHolder(MEAN_SCALE, DataType.FLOAT);
            if (t.contentWeight > 0) {
                SDVariable target = sd.placeHolder(CONTENT_TARGET, DataType.FLOAT, -1, -1, -1, -1);
                terms.add(term(new ContentLoss().define(sd, f.get(t.contentLayer), target).mul(t.contentWeight).mul(meanScale),
                        "content:" + t.contentLayer, "term_content"));
            }
            if (t.styleWeight > 0) {
                StyleLoss styleLoss = new StyleLoss();
                for (String l : t.styleLayers) {
                    SDVariable gram = sd.constant("style_gram_" + l, grams.get(l));
                    terms.add(term(styleLoss.defineAgainstGram(sd, f.get(l), gram).mul(t.styleWeight).mul(meanScale), "style:" + l,
                            "term_style_" + l));
                }
            }
        }
        if (t.tvWeight > 0) {
            terms.add(term(new TotalVariationLoss().define(sd, y255, null).mul(t.tvWeight), "tv", "term_tv"));
        }
        SDVariable sum = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            sum = sum.add(terms.get(i));
        }
        SDVariable total = sd.identity("total", sum);
        totalVariable = total.name();
        sd.setLossVariables(total);
        Graphs.createGradFunction(sd);
    }

    private SDVariable term(SDVariable v, String displayName, String varName) {
        SDVariable named = sd.identity(varName, v);
        termVariables.put(displayName, named.name());
        return named;
    }

    /** The loss terms, their sum and the gradients of one step, before any update. */
    record Step(Map<String, Double> terms, double total, Map<String, INDArray> gradients) {
    }

    /**
     * Evaluates the loss and its gradients on a batch ({@code [n, 3, imageSize, imageSize]}, RGB [0, 1]),
     * in micro-batches of at most {@link FastStyleTrainer#microBatch} images whose terms and gradients are
     * added up: the content and style terms, means over the batch, are scaled by each micro-batch's share of
     * it, the TV term is a sum anyway, so the result is the whole batch's up to rounding.
     */
    Step evaluate(INDArray images) {
        long n = images.size(0);
        List<String> outputs = new ArrayList<>(termVariables.values());
        outputs.add(totalVariable);
        Map<String, Double> terms = new LinkedHashMap<>();
        double total = 0;
        Map<String, INDArray> gradients = null;
        for (long start = 0; start < n; start += t.microBatch) {
            long end = Math.min(n, start + t.microBatch);
            INDArray chunk = start == 0 && end == n ? images
                    : images.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
            Map<String, INDArray> placeholders = new LinkedHashMap<>();
            placeholders.put(INPUT, chunk);
            if (sd.hasVariable(MEAN_SCALE)) {
                placeholders.put(MEAN_SCALE, Nd4j.scalar(DataType.FLOAT, (double) (end - start) / n));
            }
            if (t.contentWeight > 0) {
                placeholders.put(CONTENT_TARGET, t.extractor.features(chunk, List.of(t.contentLayer)).get(t.contentLayer));
            }
            OutAndGrad r = sd.calculateGradientsAndOutputs(placeholders, outputs, paramNames);
            termVariables.forEach((display, var) -> terms.merge(display, r.getOutputs().get(var).getDouble(0), Double::sum));
            total += r.getOutputs().get(totalVariable).getDouble(0);
            if (gradients == null) {
                gradients = new LinkedHashMap<>(r.getGradients());
            } else {
                for (String name : paramNames) {
                    gradients.put(name, gradients.get(name).add(r.getGradients().get(name)));
                }
            }
        }
        return new Step(terms, total, gradients);
    }

    /**
     * For tests: the loss and gradients of one training step of {@code net} on {@code images} with the
     * trainer's settings, without training.
     */
    static Step evaluate(FastStyleTrainer trainer, TransformNet net, INDArray images) {
        TrainingRun run = new TrainingRun(trainer);
        run.buildGraph(net, run.styleGrams(Images.resizeToLongestSide(trainer.style, trainer.styleSize)));
        return run.evaluate(images);
    }

    // ------------------------------------------------------------------------------------ the loop

    private TrainingResult loop() throws IOException {
        long startNanos = System.nanoTime();
        long startIteration = iteration;
        long images = 0;
        int stopEpoch = t.iterations > 0 ? Integer.MAX_VALUE : t.epochs;
        boolean completed = false;
        long lastLogged = -1;
        while (true) {
            if (t.iterations > 0 && iteration >= t.iterations) {
                completed = true;
                break;
            }
            TrainingData.Batch batch = data.next(t.batchSize, stopEpoch);
            if (batch == null) {
                completed = true;
                break;
            }
            Step step = evaluate(batch.images());
            Map<String, Double> terms = step.terms();
            double total = step.total();
            long elapsedMillis = elapsedBeforeMillis + (System.nanoTime() - startNanos) / 1_000_000;
            if (!Double.isFinite(total)) {
                throw new TrainingException(String.format(Locale.ROOT, "the loss became %s at iteration %d (terms %s); "
                        + "lower the learning rate or the loss weights", total, iteration + 1, terms), model(), history);
            }
            for (String name : paramNames) {
                INDArray param = sd.getVariable(name).getArr();
                INDArray update = step.gradients().get(name).castTo(DataType.FLOAT).dup('c').reshape(param.length());
                updaters.get(name).applyUpdater(update, (int) iteration, batch.epoch());
                param.subi(update.reshape(param.shape()));
            }
            iteration++;
            images += batch.images().size(0);
            history.add(new LossRecord((int) iteration, terms, total, elapsedMillis));

            Path sample = null;
            if (t.sampleImage != null && iteration % t.sampleEvery == 0) {
                sample = writeSample();
            }
            Path checkpoint = null;
            if (t.checkpointFile != null && iteration % t.checkpointEvery == 0) {
                checkpoint = writeCheckpoint();
            }
            if (t.lossLog != null && (iteration % LOG_EVERY == 0 || sample != null || checkpoint != null)) {
                writeLossLog();
                lastLogged = iteration;
            }
            long runNanos = System.nanoTime() - startNanos;
            long done = iteration - startIteration;
            long planned = plannedIterations();
            Duration eta = Duration.ofNanos(planned > iteration ? runNanos / done * (planned - iteration) : 0);
            TrainingEvent event = new TrainingEvent(iteration, planned, batch.epoch(), (int) batch.images().size(0), terms,
                    total, Duration.ofMillis(elapsedMillis), eta, images / (runNanos / 1e9), data.skipped().size(), sample,
                    checkpoint);
            if (t.listener != null) {
                t.listener.onIteration(event);
            }
            if (event.stopRequested() || Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        // the final writes must not fail because of an interrupt that asked to stop; the flag is restored
        boolean interrupted = Thread.interrupted();
        try {
            if (t.checkpointFile != null && lastCheckpointIteration != iteration) {
                writeCheckpoint();
            }
            if (t.lossLog != null && lastLogged != iteration) {
                writeLossLog();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return new TrainingResult(model(), iteration, completed, history, data.skipped(), lastCheckpoint);
    }

    private long plannedIterations() {
        if (t.iterations > 0) {
            return t.iterations;
        }
        long readable = Math.max(1, data.fileCount() - data.skipped().size());
        long perEpoch = (readable + t.batchSize - 1) / t.batchSize;
        return Math.max(iteration, perEpoch * t.epochs);
    }

    /** The current network as a model with its metadata. */
    private FastStyleModel model() {
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (String name : paramNames) {
            params.put(name, sd.getVariable(name).getArr());
        }
        Map<String, String> settings = new LinkedHashMap<>(t.settings());
        settings.put("schedule", t.schedule());
        settings.put("dataset", t.dataDirectory.toAbsolutePath().toString());
        settings.put("datasetFiles", Integer.toString(data.fileCount()));
        return FastStyleModel.of(TransformNet.fromParameters(t.architecture, params),
                FastStyleModel.Metadata.of(t.styleName, iteration, settings));
    }

    // ------------------------------------------------------------------------------------ outputs

    private void checkOutputs() throws IOException {
        for (Path f : new Path[] {t.checkpointFile, t.lossLog}) {
            if (f != null) {
                Path dir = f.toAbsolutePath().getParent();
                if (dir == null || !Files.isDirectory(dir)) {
                    throw new java.nio.file.NoSuchFileException(f.toString(), null,
                            "cannot write: directory " + dir + " does not exist");
                }
            }
        }
        if (t.sampleDirectory != null) {
            try {
                Files.createDirectories(t.sampleDirectory);
            } catch (IOException e) {
                throw new IOException(t.sampleDirectory + ": cannot create the sample directory: "
                        + ModelArchive.describe(e), e);
            }
        }
    }

    private Path writeSample() throws IOException {
        Path file = t.sampleDirectory.resolve(String.format(Locale.ROOT, "sample_%06d.png", iteration));
        INDArray image = model().stylize(t.sampleImage);
        try {
            Images.write(image, file);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return null; // an interrupt closed the channel: the run stops after this iteration anyway
            }
            throw e;
        }
        return file;
    }

    private Path writeCheckpoint() throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("iteration", Long.toString(iteration));
        p.put("epoch", Integer.toString(data.epoch()));
        p.put("position", Integer.toString(data.position()));
        p.put("elapsedMillis", Long.toString(history.isEmpty() ? elapsedBeforeMillis : history.get(history.size() - 1).elapsedMillis()));
        p.put("dataset.fingerprint", data.fingerprint());
        p.put("dataset.files", Integer.toString(data.fileCount()));
        p.put("style.fingerprint", styleFingerprint);
        p.put("lossNetwork.id", lossNetworkId());
        p.put("architecture", t.architecture.width() + "x" + t.architecture.residualBlocks());
        int i = 0;
        for (Map.Entry<Path, String> e : data.skipped().entrySet()) {
            p.put(String.format(Locale.ROOT, "skipped.%d.file", i), t.dataDirectory.relativize(e.getKey()).toString());
            p.put(String.format(Locale.ROOT, "skipped.%d.reason", i), e.getValue());
            i++;
        }
        ModelArchive.Writer w = model().archive(FastStyleModel.KIND_CHECKPOINT);
        for (String name : paramNames) {
            w.array(ADAM_PREFIX + name + ".npy", adamState.get(name));
        }
        w.properties(TRAINING_ENTRY, p);
        w.text(LOSSES_ENTRY, csv(history));
        w.write(t.checkpointFile);
        lastCheckpoint = t.checkpointFile;
        lastCheckpointIteration = iteration;
        return t.checkpointFile;
    }

    private void writeLossLog() throws IOException {
        ModelArchive.writeTextAtomically(t.lossLog, csv(history));
    }

    private String lossNetworkId() {
        String md5 = t.extractor.provenance().md5();
        return md5 != null ? "md5:" + md5 : t.extractor.provenance().source();
    }

    // ------------------------------------------------------------------------------------ resume

    private TransformNet resume(Path file) throws IOException {
        ModelArchive.Contents c = ModelArchive.read(file);
        FastStyleModel model = FastStyleModel.fromArchive(c);
        Map<String, String> modelProps = c.properties(FastStyleModel.PROPERTIES_ENTRY);
        if (!FastStyleModel.KIND_CHECKPOINT.equals(modelProps.get("kind")) || !c.has(TRAINING_ENTRY)) {
            throw new ModelFormatException(file + ": not a training checkpoint (a model file has no training state); "
                    + "resume from the file written by checkpoint(...)");
        }
        Map<String, String> p = c.properties(TRAINING_ENTRY);
        List<String> differences = new ArrayList<>();
        TransformNet.Architecture saved = model.network().architecture();
        if (!saved.equals(t.architecture)) {
            differences.add("architecture " + saved + " (now " + t.architecture + ")");
        }
        Map<String, String> now = t.settings();
        now.remove("lossNetwork"); // compared by checksum below: the weights file may have moved
        now.forEach((k, v) -> {
            String before = model.metadata().settings().get(k);
            if (!v.equals(before)) {
                differences.add(k + " " + before + " (now " + v + ")");
            }
        });
        compare(differences, "loss network", p.get("lossNetwork.id"), lossNetworkId());
        compare(differences, "style image", p.get("style.fingerprint"), styleFingerprint);
        compare(differences, "data set (file list of " + t.dataDirectory + ")", p.get("dataset.fingerprint"), data.fingerprint());
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException(file + ": this checkpoint was written with other settings; to continue it "
                    + "exactly, use the same ones: " + String.join("; ", differences));
        }
        iteration = FastStyleModel.longProperty(p, "iteration", file);
        int epoch = FastStyleModel.intProperty(p, "epoch", file);
        int position = FastStyleModel.intProperty(p, "position", file);
        if (iteration != model.metadata().iterations() || epoch < 0 || position < 0 || position > data.fileCount()) {
            throw new ModelFormatException(file + ": corrupt checkpoint: iteration " + iteration + ", epoch " + epoch
                    + ", position " + position + " of " + data.fileCount() + " files");
        }
        elapsedBeforeMillis = FastStyleModel.longProperty(p, "elapsedMillis", file);
        Map<Path, String> skipped = new LinkedHashMap<>();
        for (int i = 0; p.containsKey("skipped." + i + ".file"); i++) {
            skipped.put(t.dataDirectory.resolve(p.get("skipped." + i + ".file")), p.getOrDefault("skipped." + i + ".reason", ""));
        }
        data.restore(epoch, position, skipped);
        for (String name : paramNames) {
            INDArray state = c.array(ADAM_PREFIX + name + ".npy");
            long expected = 2 * model.network().parameter(name).length();
            if (state.rank() != 2 || state.size(0) != 1 || state.size(1) != expected) {
                throw new ModelFormatException(file + ": corrupt checkpoint: Adam state of " + name + " has shape "
                        + java.util.Arrays.toString(state.shape()) + ", expected [1, " + expected + "]");
            }
            adamState.put(name, state);
        }
        history.addAll(parseCsv(c.text(LOSSES_ENTRY), file));
        return model.network();
    }

    private static void compare(List<String> differences, String what, String before, String now) {
        if (!now.equals(before)) {
            differences.add(what + " differs");
        }
    }

    // ------------------------------------------------------------------------------------ CSV

    /** {@code iteration,<term>,...,total,elapsed_ms}, one row per iteration. */
    static String csv(List<LossRecord> records) {
        StringBuilder sb = new StringBuilder();
        List<String> columns = records.isEmpty() ? List.of() : new ArrayList<>(records.get(0).terms().keySet());
        sb.append("iteration");
        for (String c : columns) {
            sb.append(',').append(c);
        }
        sb.append(",total,elapsed_ms\n");
        for (LossRecord r : records) {
            sb.append(r.iteration());
            for (String c : columns) {
                sb.append(',').append(r.terms().get(c));
            }
            sb.append(',').append(r.total()).append(',').append(r.elapsedMillis()).append('\n');
        }
        return sb.toString();
    }

    static List<LossRecord> parseCsv(String text, Path file) throws ModelFormatException {
        String[] lines = text.split("\n");
        String[] header = lines[0].split(",", -1);
        int n = header.length;
        if (n < 3 || !header[0].equals("iteration") || !header[n - 2].equals("total") || !header[n - 1].equals("elapsed_ms")) {
            throw new ModelFormatException(file + ": corrupt checkpoint: loss history header '" + lines[0] + "'");
        }
        List<LossRecord> records = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] v = lines[i].split(",", -1);
            try {
                if (v.length != n) {
                    throw new NumberFormatException(v.length + " columns");
                }
                Map<String, Double> terms = new LinkedHashMap<>();
                for (int k = 1; k < n - 2; k++) {
                    terms.put(header[k], Double.parseDouble(v[k]));
                }
                records.add(new LossRecord(Integer.parseInt(v[0]), terms, Double.parseDouble(v[n - 2]), Long.parseLong(v[n - 1])));
            } catch (NumberFormatException e) {
                throw new ModelFormatException(file + ": corrupt checkpoint: loss history line " + (i + 1) + " '" + lines[i] + "'", e);
            }
        }
        return records;
    }

    /** MD5 of an array's float values (C order, little-endian). */
    static String md5(INDArray a) {
        float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer buf = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(buf.array());
            for (long d : a.shape()) {
                md.update(Long.toString(d).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by every Java platform", e);
        }
    }
}
