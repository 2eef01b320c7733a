/**
 * {@code ./vision demo}: the whole product on one machine (in-process broker, the shipped model,
 * synthetic cameras), with live numbers scored against the cameras' ground truth and a final account of
 * every frame.
 */
package io.visionstream.app.demo;
