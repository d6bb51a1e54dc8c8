package org.perceptual4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class Perceptual4jCliTest {
    @Test
    void helpListsEveryOptionOfStylize() {
        CliRunner.Result r = CliRunner.run("stylize", "--help");
        assertEquals(0, r.exitCode());
        String help = r.out();
        List<String> expected = List.of("--content", "--style", "--out", "--size", "--iterations", "--optimizer",
                "--learning-rate", "--content-weight", "--style-weight", "--tv-weight", "--tv-norm", "--content-layers",
                "--style-layers", "--init", "--pooling", "--style-scale", "--weights", "--vgg16", "--compute", "--save-every",
                "--seed", "--loss-log", "--max-pixels", "--quiet", "--verbose", "--help", "--version");
        for (String option : expected) {
            assertTrue(help.contains(option), option + " missing from:\n" + help);
        }
        CommandLine stylize = new CommandLine(new Perceptual4jCli()).getSubcommands().get("stylize");
        for (OptionSpec o : stylize.getCommandSpec().options()) {
            assertTrue(help.contains(o.longestName()), o.longestName() + " missing from:\n" + help);
            assertTrue(expected.contains(o.longestName()), "untested option " + o.longestName());
        }
        // defaults are shown
        assertTrue(help.contains("Default: 512"), help);
        assertTrue(help.contains("relu1_1,relu2_1,relu3_1,relu4_1,relu5_1"), help);
        assertEquals("", r.err());
    }

    @Test
    void topLevelHelpListsTheCommands() {
        CliRunner.Result r = CliRunner.run("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("stylize"), r.out());
        assertTrue(r.out().contains("--verbose"), r.out());
        assertEquals(0, CliRunner.run("help", "stylize").exitCode());
    }

    @Test
    void versionNamesTheProjectAndNd4j() {
        CliRunner.Result r = CliRunner.run("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().matches("(?s)perceptual4j \\d+\\.\\d+\\.\\d+.*\nND4J 1\\.0\\.0-M2\\.1.*"), r.out());
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(2, CliRunner.run().exitCode());
        assertEquals(2, CliRunner.run("paint").exitCode());
        assertEquals(2, CliRunner.run("stylize", "--content", "c.png").exitCode());
        assertEquals(2, CliRunner.run("stylize", "--content", "c.png", "--style", "s.png", "--out", "o.png",
                "--bogus").exitCode());
    }

    @Test
    void configuredUsageErrorsAreOneLine() {
        CliRunner.Result r = CliRunner.runConfigured("stylize", "--content", "c.png", "--style", "s.png", "--out", "o.png",
                "--iteratons", "5");
        assertEquals(2, r.exitCode());
        assertEquals(List.of("perceptual4j: error: Unknown options: '--iteratons', '5'; did you mean --iterations? "
                + "(see 'perceptual4j stylize --help')"), r.err().lines().toList());
        r = CliRunner.runConfigured("stylize", "--content", "c.png");
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("Missing required options"), r.err());
        r = CliRunner.runConfigured();
        assertEquals(2, r.exitCode());
        assertEquals(List.of("perceptual4j: error: missing command; expected one of: stylize, train-fast, apply-fast, help "
                + "(see 'perceptual4j --help')"), r.err().lines().toList());
    }
}
