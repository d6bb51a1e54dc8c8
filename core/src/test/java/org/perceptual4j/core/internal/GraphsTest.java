package org.perceptual4j.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GraphsTest {

    @Test
    void gradientFunctionIsCreatedWithoutPrintingAndStdoutIsRestored() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        try {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.createFromArray(1f, 2f, 3f));
            SDVariable loss = x.mul(x).sum();
            sd.setLossVariables(loss);
            Graphs.createGradFunction(sd, "x");
            System.out.println("user output");
            INDArray g = sd.calculateGradients(Map.of(), "x").get("x");
            assertEquals(Nd4j.createFromArray(2f, 4f, 6f), g.castTo(DataType.FLOAT));
            assertSame(capture, System.out, "System.out must be restored");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("Added differentiated op"), out);
        assertEquals("user output" + System.lineSeparator(), out);
    }
}
