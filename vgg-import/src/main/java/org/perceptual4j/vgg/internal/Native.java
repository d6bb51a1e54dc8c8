package org.perceptual4j.vgg.internal;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/** Passing ND4J CPU arrays to oneDNN without copies. */
final class Native {
    private Native() {
    }

    /** {@code a} itself if it is a dense C-order float array, else a dense float copy. */
    static INDArray contiguousFloat(INDArray a) {
        if (a.dataType() == DataType.FLOAT && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)) {
            return a;
        }
        return a.castTo(DataType.FLOAT).dup('c');
    }

    /** The address of the first element of a dense C-order array on the CPU backend. */
    static Pointer address(INDArray dense) {
        Pointer buffer = dense.data().addressPointer();
        // the copy keeps the raw address; its position, in bytes, then selects the first element
        return new BytePointer(buffer).position(buffer.position() * buffer.sizeof() + dense.offset() * dense.data().getElementSize());
    }

    /** {@code bytes} of native memory starting at a 64-byte boundary (oneDNN's preferred alignment). */
    static BytePointer aligned(long bytes) {
        BytePointer p = new BytePointer(Math.max(1, bytes) + 64);
        long misalignment = p.address() % 64;
        return p.position(misalignment == 0 ? 0 : 64 - misalignment);
    }
}
