/**
 * The verifier: reads the input topic and the outcome topics (predictions, dead letters) with
 * read_committed and checks that every input record has exactly one outcome, per source, in order. Used
 * by {@code ./vision verify} and the fault-scenario tests.
 */
package io.visionstream.app.verify;
