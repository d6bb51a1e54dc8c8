package org.perceptual4j.style;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A run that could not finish, e.g. because the loss became NaN or infinite; keeps the last finite image. */
public class StyleTransferException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient INDArray lastFiniteImage;
    private final transient List<LossRecord> history;

    public StyleTransferException(String message, INDArray lastFiniteImage, List<LossRecord> history) {
        super(message);
        this.lastFiniteImage = lastFiniteImage;
        this.history = List.copyOf(history);
    }

    /** The last image whose loss was finite, RGB [0, 1]. */
    public INDArray lastFiniteImage() {
        return lastFiniteImage;
    }

    /** The losses recorded before the failure. */
    public List<LossRecord> history() {
        return history;
    }
}
