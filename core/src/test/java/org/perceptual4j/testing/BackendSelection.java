package org.perceptual4j.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.perceptual4j.backend.NativeBinaries;

/**
 * Registered as a JUnit launcher-session listener (through this test-jar, in every module), so the
 * test JVM picks ND4J's binaries for its CPU before any test touches ND4J.
 */
public final class BackendSelection implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeBinaries.selectForThisCpu();
    }
}
