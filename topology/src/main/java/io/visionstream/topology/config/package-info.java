/**
 * The processor's configuration: one validated record built from defaults, an optional properties file
 * and {@code VISION_*} environment variables, plus the Kafka and schema-registry client settings that
 * pass through untouched. May depend on Kafka's config definitions and on the inference module's plain
 * {@code EngineOptions} (the one definition of the {@code device} forms); nothing on DJL.
 */
package io.visionstream.topology.config;
