#!/usr/bin/python3
"""Writes the numerical fixtures for io.visionstream.inference.heads from plain PyTorch.

Run by hand (never in CI) with Debian's torch:  /usr/bin/python3 make_head_fixtures.py
It writes safetensors files next to the Java tests' resources. The reference head below is
written with torch.nn building blocks only (ConvTranspose2d, BatchNorm2d, AdaptiveAvgPool2d,
F.interpolate) in the layout of mmsegmentation's Feature2Pyramid neck + UPerHead decoder, and its
state_dict names are the checkpoint names the Java head expects (under the prefix "decode_head.").
"""

import json
import os
import struct
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "resources", "io", "visionstream", "inference", "heads")

DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save_safetensors(path, tensors):
    """Minimal safetensors writer: u64 LE header size, JSON header, raw little-endian data."""
    header = OrderedDict()
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    print(f"{path}: {os.path.getsize(path)} bytes, {len(tensors)} tensors")


class ConvModule(nn.Module):
    """conv (no bias) -> BatchNorm2d -> ReLU, named like mmcv's ConvModule."""

    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.activate = nn.ReLU()

    def forward(self, x):
        return self.activate(self.bn(self.conv(x)))


class Neck(nn.Module):
    """Feature2Pyramid with rescales (4, 2, 1, 0.5)."""

    def __init__(self, dim):
        super().__init__()
        self.upsample_4x = nn.Sequential(
            nn.ConvTranspose2d(dim, dim, 2, 2), nn.BatchNorm2d(dim), nn.GELU(),
            nn.ConvTranspose2d(dim, dim, 2, 2))
        self.upsample_2x = nn.Sequential(nn.ConvTranspose2d(dim, dim, 2, 2))
        self.maxpool = nn.MaxPool2d(2, 2)

    def forward(self, xs):
        return [self.upsample_4x(xs[0]), self.upsample_2x(xs[1]), xs[2], self.maxpool(xs[3])]


class Head(nn.Module):
    """Feature2Pyramid neck + UPerHead (PPM on the coarsest level, FPN, fusion), no dropout."""

    def __init__(self, dim, channels, num_classes, pool_scales=(1, 2, 3, 6)):
        super().__init__()
        self.neck = Neck(dim)
        self.psp_modules = nn.ModuleList(
            nn.Sequential(nn.AdaptiveAvgPool2d(s), ConvModule(dim, channels, 1)) for s in pool_scales)
        self.bottleneck = ConvModule(dim + len(pool_scales) * channels, channels, 3)
        self.lateral_convs = nn.ModuleList(ConvModule(dim, channels, 1) for _ in range(3))
        self.fpn_convs = nn.ModuleList(ConvModule(channels, channels, 3) for _ in range(3))
        self.fpn_bottleneck = ConvModule(4 * channels, channels, 3)
        self.conv_seg = nn.Conv2d(channels, num_classes, 1)

    def psp_forward(self, x):
        outs = [x] + [F.interpolate(m(x), size=x.shape[2:], mode="bilinear", align_corners=False)
                      for m in self.psp_modules]
        return self.bottleneck(torch.cat(outs, dim=1))

    def forward(self, xs, out_size):
        pyramid = self.neck(xs)
        laterals = [conv(pyramid[i]) for i, conv in enumerate(self.lateral_convs)]
        laterals.append(self.psp_forward(pyramid[3]))
        for i in range(3, 0, -1):
            laterals[i - 1] = laterals[i - 1] + F.interpolate(
                laterals[i], size=laterals[i - 1].shape[2:], mode="bilinear", align_corners=False)
        outs = [self.fpn_convs[i](laterals[i]) for i in range(3)] + [laterals[3]]
        for i in range(3, 0, -1):
            outs[i] = F.interpolate(outs[i], size=outs[0].shape[2:], mode="bilinear",
                                    align_corners=False)
        feats = self.fpn_bottleneck(torch.cat(outs, dim=1))
        logits = self.conv_seg(feats)
        return pyramid, logits, F.interpolate(logits, size=out_size, mode="bilinear",
                                              align_corners=False)


def randomize(model, gen):
    """Non-trivial weights, including BN affine parameters and running statistics."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bn.weight") or name == "neck.upsample_4x.1.weight":
                p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
            elif p.dim() == 1:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
            else:
                fan_in = p.shape[1] * p.shape[2] * p.shape[3]
                if name.startswith("neck."):
                    fan_in = p.shape[0]  # ConvTranspose2d weight is [Cin, Cout, kh, kw]
                p.copy_(torch.randn(p.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=gen) * 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=gen) * 1.5 + 0.5)
            elif name.endswith("num_batches_tracked"):
                b.fill_(1000)


def conv_transpose_fixture(gen):
    conv = nn.ConvTranspose2d(5, 3, kernel_size=2, stride=2)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen))
        conv.bias.copy_(torch.randn(conv.bias.shape, generator=gen))
    x = torch.randn(2, 5, 3, 4, generator=gen)
    save_safetensors(os.path.join(OUT, "conv_transpose.safetensors"), OrderedDict(
        [("input", x), ("weight", conv.weight), ("bias", conv.bias), ("output", conv(x))]))


def adaptive_pool_fixture(gen):
    cases = [((3, 3), (6, 6)), ((3, 3), (1, 1)), ((5, 7), (3, 3)), ((6, 6), (2, 2)),
             ((7, 5), (6, 4)), ((1, 1), (6, 6)), ((4, 6), (3, 5))]
    tensors = OrderedDict()
    for i, (size_in, size_out) in enumerate(cases):
        x = torch.randn(2, 3, *size_in, generator=gen)
        tensors[f"case{i}.input"] = x
        tensors[f"case{i}.output"] = F.adaptive_avg_pool2d(x, size_out)
    save_safetensors(os.path.join(OUT, "adaptive_avg_pool.safetensors"), tensors)


def resize_fixture(gen):
    cases = [((3, 4), (7, 9)), ((6, 6), (24, 24)), ((8, 12), (64, 96)), ((5, 5), (5, 5)),
             ((6, 6), (3, 3)), ((6, 6), (1, 1)), ((4, 10), (8, 5))]
    tensors = OrderedDict()
    for i, (size_in, size_out) in enumerate(cases):
        x = torch.randn(1, 2, *size_in, generator=gen)
        tensors[f"bilinear{i}.input"] = x
        tensors[f"bilinear{i}.output"] = F.interpolate(
            x, size=size_out, mode="bilinear", align_corners=False)
    for i, (size_in, size_out) in enumerate([((5, 7), (13, 11)), ((6, 8), (3, 5))]):
        classes = torch.randint(0, 150, (2, *size_in), generator=gen)
        tensors[f"nearest{i}.input"] = classes
        tensors[f"nearest{i}.output"] = F.interpolate(
            classes[:, None].float(), size=size_out, mode="nearest")[:, 0].long()
    save_safetensors(os.path.join(OUT, "resize.safetensors"), tensors)


def batch_norm_fixture(gen):
    """BatchNorm2d in training mode (batch statistics, running-stat update) and then in eval mode."""
    bn = nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(3, generator=gen) + 0.5)
        bn.bias.copy_(torch.randn(3, generator=gen))
        bn.running_mean.copy_(torch.randn(3, generator=gen))
        bn.running_var.copy_(torch.rand(3, generator=gen) + 0.5)
    tensors = OrderedDict([("weight", bn.weight), ("bias", bn.bias),
                           ("running_mean", bn.running_mean.clone()),
                           ("running_var", bn.running_var.clone())])
    x = torch.randn(4, 3, 5, 5, generator=gen) * 2 + 1
    with torch.no_grad():
        tensors["input"] = x
        tensors["train.output"] = bn.train()(x)
        tensors["train.running_mean"] = bn.running_mean.clone()
        tensors["train.running_var"] = bn.running_var.clone()
        tensors["eval.output"] = bn.eval()(x)
    save_safetensors(os.path.join(OUT, "batch_norm.safetensors"), tensors)


def head_fixture(gen):
    dim, channels, num_classes = 32, 16, 4
    head = Head(dim, channels, num_classes).eval()
    randomize(head, gen)
    tensors = OrderedDict(("decode_head." + k, v) for k, v in head.state_dict().items())
    with torch.no_grad():
        # 64x96 image, patch 8: maps 8x12 -> pyramid 32x48, 16x24, 8x12, 4x6
        xs = [torch.randn(2, dim, 8, 12, generator=gen) for _ in range(4)]
        pyramid, low, logits = head(xs, (64, 96))
        for i, x in enumerate(xs):
            tensors[f"input.{i}"] = x
        tensors["pyramid.3"] = pyramid[3]  # the finer levels are checked through the logits
        tensors["output.logits_quarter"] = low
        tensors["output.logits"] = logits
        # 48x48 image, patch 16: maps 3x3 -> pyramid 12x12, 6x6, 3x3, 1x1 (PPM pools 1x1 to 6x6)
        small = [torch.randn(1, dim, 3, 3, generator=gen) for _ in range(4)]
        _, _, small_logits = head(small, (48, 48))
        for i, x in enumerate(small):
            tensors[f"small.input.{i}"] = x
        tensors["small.output.logits"] = small_logits
        # 40x56 image, patch 8: odd maps 5x7 -> pyramid 20x28, 10x14, 5x7, 2x3 (2x3 -> 5x7 is not 2x)
        odd = [torch.randn(1, dim, 5, 7, generator=gen) for _ in range(4)]
        _, _, odd_logits = head(odd, (40, 56))
        for i, x in enumerate(odd):
            tensors[f"odd.input.{i}"] = x
        tensors["odd.output.logits"] = odd_logits
    save_safetensors(os.path.join(OUT, "upernet_head.safetensors"), tensors)


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20261121)
    conv_transpose_fixture(gen)
    adaptive_pool_fixture(gen)
    resize_fixture(gen)
    head_fixture(gen)
    batch_norm_fixture(gen)


if __name__ == "__main__":
    main()
