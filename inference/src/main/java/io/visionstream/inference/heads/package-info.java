/**
 * Dense (per-pixel) segmentation head for a plain ViT: a ViTDet/BEiT-style feature pyramid built from
 * four intermediate ViT blocks ({@link io.visionstream.inference.heads.Feature2Pyramid}) followed by a
 * UPerNet decoder ({@link io.visionstream.inference.heads.UperNetHead}), written as DJL blocks with
 * real parameters so the head can be trained with the backbone, and loadable from a checkpoint whose
 * tensor names follow mmsegmentation's ({@code decode_head.psp_modules.0.1.conv.weight}, ...).
 *
 * <p>Depends on the DJL API only (the numerics are checked on the PyTorch engine). It consumes the
 * channels-first patch-token maps {@code [B, D, H/P, W/P]} that the backbone's {@code
 * forwardIntermediates} returns, and knows nothing of the backbone's classes, of Kafka or of schemas.
 */
package io.visionstream.inference.heads;
