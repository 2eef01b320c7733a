/**
 * Dense (per-pixel) segmentation head on four backbone feature maps with per-level channels and strides
 * ({@link io.visionstream.inference.heads.DenseHeadConfig}): for a plain ViT's single-scale maps a
 * ViTDet/BEiT-style feature pyramid ({@link io.visionstream.inference.heads.Feature2Pyramid}) builds the
 * levels; a hierarchical backbone's stages are the levels. A UPerNet decoder ({@link
 * io.visionstream.inference.heads.UperNetHead}) follows, written as DJL blocks with real parameters so the
 * head can be trained with the backbone, and loadable from a checkpoint whose tensor names follow
 * mmsegmentation's ({@code decode_head.psp_modules.0.1.conv.weight}, ...).
 *
 * <p>Depends on the DJL API, the shared {@code layers} and the backbone seam's {@code FeatureInfo} (the
 * numerics are checked on the PyTorch engine). It consumes channels-first maps {@code [B, C, h, w]} as a
 * backbone's {@code forwardIntermediates} returns them, and knows nothing of the backbone's family, of
 * Kafka or of schemas.
 */
package io.visionstream.inference.heads;
