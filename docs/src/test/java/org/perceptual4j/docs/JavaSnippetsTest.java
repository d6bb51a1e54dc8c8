package org.perceptual4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of README.md and docs/*.md against the library, so the examples
 * cannot drift from the API. Each block is a complete compilation unit. A block containing the comment
 * {@code // docs-test: run} is also run (its {@code main(String[])}), with the working directory's
 * {@code docs.snippet.dir} system property pointing at a scratch directory.
 */
class JavaSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("(?m)^\\s*(?:public\\s+)?(?:final\\s+)?class\\s+(\\w+)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+);");

    @TempDir
    Path scratch;

    record Snippet(Path file, int index, String source) {
        String label() {
            return file.getFileName() + " block " + index;
        }
    }

    static List<Snippet> snippets() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(Path.of(System.getProperty("readme.file", "../README.md")));
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("docs.dir", ".")))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Snippet> result = new ArrayList<>();
        for (Path f : files) {
            Matcher m = BLOCK.matcher(Files.readString(f));
            int i = 0;
            while (m.find()) {
                result.add(new Snippet(f, ++i, m.group(1)));
            }
        }
        return result;
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockCompiles() throws IOException {
        List<Snippet> all = snippets();
        assertFalse(all.isEmpty(), "no java blocks found");
        assertTrue(all.stream().anyMatch(s -> s.file().getFileName().toString().equals("README.md")),
                "the README must have a Java example");
        return all.stream().map(s -> DynamicTest.dynamicTest(s.label(), () -> compileAndMaybeRun(s)));
    }

    private void compileAndMaybeRun(Snippet s) throws Exception {
        Matcher cm = CLASS_NAME.matcher(s.source());
        assertTrue(cm.find(), s.label() + ": expected a complete class");
        String simpleName = cm.group(1);
        Matcher pm = PACKAGE.matcher(s.source());
        String className = pm.find() ? pm.group(1) + "." + simpleName : simpleName;
        Path out = Files.createDirectories(scratch.resolve("classes-" + s.file().getFileName() + "-" + s.index()));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        JavaFileObject source = new SimpleJavaFileObject(java.net.URI.create("string:///" + className.replace('.', '/') + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return s.source();
            }
        };
        boolean ok = compiler.getTask(diagnostics, null, null,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-Xlint:none"),
                null, List.of(source)).call();
        assertTrue(ok, s.label() + " does not compile:\n" + diagnostics);
        if (s.source().contains("// docs-test: run")) {
            System.setProperty("docs.snippet.dir", scratch.toString());
            try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
                Method main = loader.loadClass(className).getMethod("main", String[].class);
                main.invoke(null, (Object) new String[0]);
            } finally {
                System.clearProperty("docs.snippet.dir");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> readmeHasExactlyTwoSetUpCommandsAndCiRunsTheTestOne() throws IOException {
        Path readme = Path.of(System.getProperty("readme.file", "../README.md"));
        String text = Files.readString(readme);
        Matcher m = Pattern.compile("<!-- setup:(main|test) -->\\s*```(?:sh|bash)\\n(.*?)\\n```", Pattern.DOTALL).matcher(text);
        List<String> kinds = new ArrayList<>();
        String testCommand = null;
        while (m.find()) {
            kinds.add(m.group(1));
            if (m.group(1).equals("test")) {
                testCommand = m.group(2).trim();
            }
        }
        String finalTestCommand = testCommand;
        String ci = Files.readString(readme.resolveSibling(".ci/run"));
        return Stream.of(
                DynamicTest.dynamicTest("two set-up commands", () -> assertEquals(List.of("main", "test"), kinds)),
                DynamicTest.dynamicTest(".ci/run runs the README's test command",
                        () -> assertTrue(finalTestCommand != null && ci.contains(finalTestCommand),
                                ".ci/run must contain: " + finalTestCommand)));
    }
}
