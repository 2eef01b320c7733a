package io.visionstream.inference.layers;

/**
 * The reference for convolution tests: {@code F.conv2d(x, w, b, stride, padding)} and its three gradients
 * as plain sums over every tap, in doubles where it accumulates, with no libtorch involved.
 *
 * @param output {@code [B, out, outH, outW]} flattened
 * @param inputGradient d(sum(y * upstream))/dx, shaped as x
 * @param weightGradient the same for the weight
 * @param biasGradient the same for the bias
 */
public record DirectConv(float[] output, float[] inputGradient, float[] weightGradient, float[] biasGradient) {

    /**
     * @param x {@code [batch, channels, h, w]} flattened
     * @param weight {@code [out, channels, k, k]} flattened
     * @param bias {@code [out]}
     * @param upstream the gradient arriving at the output, {@code [batch, out, outH, outW]} flattened
     */
    public static DirectConv of(
            float[] x,
            float[] weight,
            float[] bias,
            float[] upstream,
            int batch,
            int channels,
            int h,
            int w,
            int k,
            int stride,
            int pad) {
        int out = bias.length;
        int outH = (h + 2 * pad - k) / stride + 1;
        int outW = (w + 2 * pad - k) / stride + 1;
        float[] y = new float[upstream.length];
        float[] dx = new float[x.length];
        float[] dw = new float[weight.length];
        float[] db = new float[out];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < outH; i++) {
                    for (int j = 0; j < outW; j++) {
                        int yi = ((b * out + o) * outH + i) * outW + j;
                        double sum = bias[o];
                        db[o] += upstream[yi];
                        for (int c = 0; c < channels; c++) {
                            for (int di = 0; di < k; di++) {
                                for (int dj = 0; dj < k; dj++) {
                                    int si = i * stride + di - pad;
                                    int sj = j * stride + dj - pad;
                                    if (si < 0 || si >= h || sj < 0 || sj >= w) {
                                        continue;
                                    }
                                    int xi = ((b * channels + c) * h + si) * w + sj;
                                    int wi = ((o * channels + c) * k + di) * k + dj;
                                    sum += (double) x[xi] * weight[wi];
                                    dx[xi] += upstream[yi] * weight[wi];
                                    dw[wi] += upstream[yi] * x[xi];
                                }
                            }
                        }
                        y[yi] = (float) sum;
                    }
                }
            }
        }
        return new DirectConv(y, dx, dw, db);
    }
}
