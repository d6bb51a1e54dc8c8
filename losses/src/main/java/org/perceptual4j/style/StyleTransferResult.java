package org.perceptual4j.style;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.optim.StopReason;

/**
 * The outcome of {@link StyleTransfer#run()}.
 *
 * @param image the stylized image, RGB clamped to [0, 1], [1, 3, H, W]
 * @param history the losses of every iteration, starting with iteration 0 (the starting image)
 * @param iterations iterations done
 * @param stopReason why the run ended ({@link StopReason#STOPPED_BY_LISTENER} for a stop request or an interrupt)
 */
public record StyleTransferResult(INDArray image, List<LossRecord> history, int iterations, StopReason stopReason) {
    public StyleTransferResult {
        history = List.copyOf(history);
    }

    /** The losses of the last iteration. */
    public LossRecord last() {
        return history.get(history.size() - 1);
    }
}
