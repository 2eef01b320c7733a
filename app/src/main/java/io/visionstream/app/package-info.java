/**
 * The {@code ./vision} command-line application: picocli commands that parse options, build the
 * topology and start it. No business logic lives here.
 */
package io.visionstream.app;
