package io.visionstream.processor;

import picocli.CommandLine;

/** Reads the version the build stamped into the jar manifest, so {@code --version} never drifts. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {
            "vision " + (version == null ? "(development build, no manifest)" : version),
            "Java " + Runtime.version() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
        };
    }
}
