/**
 * The processor's configuration: one validated record built from defaults, an optional properties file
 * and {@code VISION_*} environment variables, plus the Kafka and schema-registry client settings that
 * pass through untouched. May depend on Kafka's config definitions; nothing on DJL.
 */
package io.visionstream.topology.config;
