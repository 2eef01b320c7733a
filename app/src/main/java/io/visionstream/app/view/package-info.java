/**
 * {@code ./vision view}: the live viewer. A downstream consumer of the processor's topics (frames,
 * predictions, masks, dead letters) that joins each frame with its outcome, draws it, and serves a web
 * page of the cameras with per-camera throughput and latency. Also home of {@link
 * io.visionstream.app.view.OverlayRenderer}, the one way this project draws a frame with its mask and
 * label (the viewer, {@code demo --out} and {@code predict --mask-out} share it).
 *
 * <p>Depends on the Avro contracts, the image code of {@code inference}, the client settings of {@code
 * topology}, Kafka's consumer and the JDK's HTTP server; never on the processor's internals, and never
 * joins the processor's consumer group.
 */
package io.visionstream.app.view;
