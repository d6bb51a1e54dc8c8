package org.perceptual4j.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;
import org.perceptual4j.core.internal.Checks;

/**
 * Adam (Kingma and Ba, 2015) on top of ND4J's own {@link Adam} updater, so the update rule and
 * learning-rate schedules ({@link ISchedule}) are ND4J's. One evaluation per iteration.
 *
 * <p>neural-style's Adam default learning rate is 10 (for images in Caffe's 0-255 space); this
 * class defaults to ND4J's 1e-3 and {@code StyleTransfer} sets 10 for its own use.
 */
public final class AdamOptimizer implements Optimizer {
    private final double learningRate;
    private final ISchedule schedule;
    private final double beta1;
    private final double beta2;
    private final double epsilon;

    private AdamOptimizer(Builder b) {
        this.learningRate = b.learningRate;
        this.schedule = b.schedule;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
    }

    public static Builder builder() {
        return new Builder();
    }

    public double learningRate() {
        return learningRate;
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    public String toString() {
        return "AdamOptimizer[learningRate=" + learningRate + (schedule != null ? ", schedule=" + schedule : "")
                + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + "]";
    }

    private Adam updaterConfig() {
        Adam.Builder b = Adam.builder().beta1(beta1).beta2(beta2).epsilon(epsilon).learningRate(learningRate);
        if (schedule != null) {
            b.learningRateSchedule(schedule);
        }
        return b.build();
    }

    @Override
    public OptimizationResult minimize(Objective f, INDArray x0, int maxIterations, IterationListener listener) {
        Checks.requireNonNull(f, "objective");
        Checks.requireNonNull(x0, "x0");
        Checks.requirePositive(maxIterations, "maxIterations");
        IterationListener l = listener == null ? IterationListener.NONE : listener;
        long[] shape = x0.shape();
        long n = x0.length();
        INDArray x = x0.castTo(DataType.FLOAT).dup('c').reshape(n);
        INDArray state = Nd4j.zeros(DataType.FLOAT, 1, 2 * n);
        GradientUpdater<?> updater = updaterConfig().instantiate(state, true);
        int evaluations = 1;
        Evaluation e = f.evaluate(x.reshape(shape));
        if (!e.isFinite()) {
            return new OptimizationResult(x.reshape(shape), e, 0, evaluations, StopReason.NON_FINITE);
        }
        if (!l.onIteration(0, x.reshape(shape), e)) {
            return new OptimizationResult(x.reshape(shape), e, 0, evaluations, StopReason.STOPPED_BY_LISTENER);
        }
        for (int iter = 1; iter <= maxIterations; iter++) {
            INDArray update = e.gradient().castTo(DataType.FLOAT).dup('c').reshape(n);
            updater.applyUpdater(update, iter - 1, 0);
            INDArray xNew = x.sub(update);
            Evaluation eNew = f.evaluate(xNew.reshape(shape));
            evaluations++;
            if (!eNew.isFinite()) {
                return new OptimizationResult(x.reshape(shape), e, iter - 1, evaluations, StopReason.NON_FINITE);
            }
            x = xNew;
            e = eNew;
            if (!l.onIteration(iter, x.reshape(shape), e)) {
                return new OptimizationResult(x.reshape(shape), e, iter, evaluations, StopReason.STOPPED_BY_LISTENER);
            }
        }
        return new OptimizationResult(x.reshape(shape), e, maxIterations, evaluations, StopReason.MAX_ITERATIONS);
    }

    public static final class Builder {
        private double learningRate = Adam.DEFAULT_ADAM_LEARNING_RATE;
        private ISchedule schedule;
        private double beta1 = Adam.DEFAULT_ADAM_BETA1_MEAN_DECAY;
        private double beta2 = Adam.DEFAULT_ADAM_BETA2_VAR_DECAY;
        private double epsilon = Adam.DEFAULT_ADAM_EPSILON;

        private Builder() {
        }

        /** Constant learning rate (default 1e-3); ignored when a schedule is set. */
        public Builder learningRate(double learningRate) {
            this.learningRate = Checks.requirePositive(learningRate, "learningRate");
            return this;
        }

        /** Learning-rate schedule over iterations, e.g. {@code new ExponentialSchedule(ScheduleType.ITERATION, 10, 0.999)}. */
        public Builder schedule(ISchedule schedule) {
            this.schedule = Checks.requireNonNull(schedule, "schedule");
            return this;
        }

        public Builder beta1(double beta1) {
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("beta1: expected a value in [0, 1), got " + beta1);
            }
            this.beta1 = beta1;
            return this;
        }

        public Builder beta2(double beta2) {
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("beta2: expected a value in [0, 1), got " + beta2);
            }
            this.beta2 = beta2;
            return this;
        }

        public Builder epsilon(double epsilon) {
            this.epsilon = Checks.requirePositive(epsilon, "epsilon");
            return this;
        }

        public AdamOptimizer build() {
            return new AdamOptimizer(this);
        }
    }
}
