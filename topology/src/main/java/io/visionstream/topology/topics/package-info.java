/**
 * Topics sized for image frames: the client settings and topic configs that let frames of {@code
 * max.frame.bytes} through, creation of missing topics, and the start-up check of existing ones. May
 * depend on Kafka's admin client.
 */
package io.visionstream.topology.topics;
