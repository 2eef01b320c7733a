/**
 * The deployable processor: {@code run} and nothing else. {@link io.visionstream.processor.ProcessorApp}
 * is the lean jar's entry point (the Docker image's), {@link io.visionstream.processor.RunCommand} starts
 * one {@link io.visionstream.topology.runtime.ProcessorInstance} from settings, and {@link
 * io.visionstream.processor.CommandLines} is how every {@code vision} command reports usage errors and
 * failures on one line with secrets masked.
 *
 * <p>Depends on the {@code topology} library, picocli and logback only: no broker, no Kafka test kit, no
 * trainer (the module's enforcer rule checks it).
 */
package io.visionstream.processor;
