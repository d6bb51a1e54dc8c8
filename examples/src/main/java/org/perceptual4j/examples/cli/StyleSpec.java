package org.perceptual4j.examples.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A style image with its blend weight, as given to {@code --style FILE[:WEIGHT]}.
 *
 * <p>The weight is taken only if the text after the last ':' is a plain decimal number, so
 * {@code C:\img\s.jpg} and {@code a:b.png} are file names (weight 1) and {@code s.png:0.5} is
 * {@code s.png} with weight 0.5. A negative number there ({@code s.png:-1}) is rejected.
 *
 * @param file the image file
 * @param weight blend weight, >= 0
 */
record StyleSpec(Path file, double weight) {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    /**
     * Parses {@code FILE[:WEIGHT]}.
     *
     * @throws IllegalArgumentException for an empty file name, a negative or non-finite weight, or an
     *     invalid path
     */
    static StyleSpec parse(String spec) {
        if (spec == null || spec.isEmpty()) {
            throw new IllegalArgumentException("expected FILE or FILE:WEIGHT, got an empty value");
        }
        String file = spec;
        double weight = 1.0;
        int colon = spec.lastIndexOf(':');
        if (colon > 0 && NUMBER.matcher(spec.substring(colon + 1)).matches()) {
            file = spec.substring(0, colon);
            weight = Double.parseDouble(spec.substring(colon + 1));
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("style weight must be a number >= 0, got " + spec.substring(colon + 1)
                        + " in '" + spec + "'");
            }
        }
        try {
            return new StyleSpec(Path.of(file), weight);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a valid file name: '" + file + "' (" + e.getReason() + ")", e);
        }
    }

    /** picocli converter for {@code --style}. */
    static final class Converter implements ITypeConverter<StyleSpec> {
        @Override
        public StyleSpec convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
