package org.perceptual4j.vgg.internal;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

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

    /**
     * A byte array of at least {@code bytes} plus the address of its first 64-byte boundary (oneDNN's
     * preferred alignment). Allocated by ND4J, so it follows ND4J's memory limits and release, not
     * JavaCPP's {@code maxbytes} (which defaults to the Java heap size).
     */
    static Buffer aligned(long bytes) {
        INDArray array = Nd4j.createUninitializedDetached(DataType.BYTE, Math.max(1, bytes) + 64);
        Pointer start = address(array);
        long misalignment = (start.address() + start.position()) % 64;
        return new Buffer(array, new BytePointer(start).position(start.position() + (misalignment == 0 ? 0 : 64 - misalignment)));
    }

    /** Memory owned by an ND4J array, and where oneDNN should use it. */
    record Buffer(INDArray owner, Pointer pointer) {
    }
}
