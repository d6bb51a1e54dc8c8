package org.perceptual4j.examples.cli;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code --loss-log} CSV file: a header {@code iteration,<term>,...,total,elapsed_ms} (the terms
 * named as in {@code LossRecord.terms()}) and one row per iteration, flushed as it is written.
 *
 * <p>Written through a {@link FileOutputStream}, which (unlike a {@code FileChannel}) is not closed when
 * the thread is interrupted, so Ctrl-C does not cut the log short.
 */
final class LossLog implements Closeable {
    private final Path file;
    private final Writer out;
    private List<String> columns;

    private LossLog(Path file, Writer out) {
        this.file = file;
        this.out = out;
    }

    /** Creates (or truncates) the file. */
    static LossLog create(Path file) throws IOException {
        return new LossLog(file, new BufferedWriter(new OutputStreamWriter(new FileOutputStream(file.toFile()),
                StandardCharsets.UTF_8)));
    }

    Path file() {
        return file;
    }

    /** Appends one row; the first call also writes the header. */
    void write(int iteration, Map<String, Double> terms, double total, long elapsedMillis) throws IOException {
        if (columns == null) {
            columns = new ArrayList<>(terms.keySet());
            out.write("iteration," + String.join(",", columns) + ",total,elapsed_ms\n");
        }
        StringBuilder row = new StringBuilder().append(iteration);
        for (String c : columns) {
            Double v = terms.get(c);
            row.append(',').append(v == null ? "" : Double.toString(v));
        }
        row.append(',').append(total).append(',').append(elapsedMillis).append('\n');
        out.write(row.toString());
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
