/**
 * The {@code ./vision} command line: picocli commands that parse options and call the libraries (demo,
 * run, produce, consume, verify, predict, train, bench). No business logic lives here. {@code run} is the
 * processor module's; everything else is a tool and ships only in the full jar.
 */
package io.visionstream.app;
