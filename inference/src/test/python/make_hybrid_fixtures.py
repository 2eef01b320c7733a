#!/usr/bin/python3
"""Writes the reference fixtures for the Java hybrid-ViT tests (run by hand, never in CI).

    /usr/bin/python3 inference/src/test/python/make_hybrid_fixtures.py

References, none written by this project:
  * ResNetV2 backbone (timm's non-pre-activation variant used by the ViT hybrids): composed here from
    torch's functional ops, step by step as timm's resnetv2.py / std_conv.py / padding.py /
    pool2d_same.py describe it: weight standardisation through F.batch_norm(training=True, eps=1e-8),
    TF "SAME" padding through an explicit asymmetric F.pad (-inf before the max-pool), F.group_norm
    with 32 groups and eps 1e-5, F.max_pool2d, F.conv2d, F.relu.
  * Transformer: torchvision's VisionTransformer encoder (pre-norm blocks, LayerNorm eps 1e-6, exact
    GELU), class token and head, fed with HybridEmbed's projection of the backbone's feature map.
  * Conv stem (Xiao et al. 2021): torchvision's VisionTransformer(conv_stem_configs=[...]) end to
    end, its weights re-keyed to timm's ConvStem names (patch_embed.backbone.{i}.conv / .bn).

Values come from make_vit_fixtures.py's counter-based generator (splitmix64 of crc32(name) and the
element index) with the rule in value() below, so that the Java tests can rebuild the large case
(r26_s32_224) bit for bit instead of committing a 140 MB checkpoint.

Output in inference/src/test/resources/fixtures/hybrid/<case>/:
  layers/          reference.safetensors: single-layer references (StdConv2dSame, MaxPool2dSame,
                   GroupNormAct, BatchNormAct2d train/eval) on odd and even sizes.
  tiny_r_s16_p8/   stem-only backbone (vit_tiny_r_s16_p8 shrunk) at 64x64; config.json,
                   model.safetensors, reference.safetensors.
  small_r26_s32/   two-stage backbone (vit_small_r26_s32 shrunk) at 44x44 (odd map sizes inside).
  conv_stem/       Xiao conv stem ViT at 64x64 from torchvision, plus the stem in training mode.
  png_small_r26/   a PNG through timm's eval transform (bicubic resize to 48, centre crop 44,
                   mean/std 0.5), then small_r26_s32.
  r26_s32_224/     vit_small_r26_s32_224 with full backbone widths and 2 ViT blocks at 224, no
                   resize; config.json and reference.safetensors only (the Java test regenerates
                   the weights from value()).
reference.safetensors keys: input, features (backbone output [B,C,h,w]), intermediates.{i}
(timm's ResNetV2.forward_intermediates: 0 = stem norm output at stride 2, i = stage i-1; the last
one is `features` and is not repeated; a `.c0_N` suffix marks a slice of the first N channels),
tokens (HybridEmbed output [B,N,D]), logits [B,K], embedding [B,D].
"""
import copy
import functools
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image
from torchvision.models.vision_transformer import ConvStemConfig, VisionTransformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_vit_fixtures import timm_to_torchvision, uniform, write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "hybrid")
HALF = [0.5, 0.5, 0.5]
GN_GROUPS, GN_EPS, WS_EPS, LN_EPS = 32, 1e-5, 1e-8, 1e-6
NORM_NAMES = {"norm", "norm1", "norm2", "norm3", "bn", "fc_norm"}


# ---------------------------------------------------------------- deterministic values
def value(name, shape):
    """The value rule the Java twin (HybridFixtures.value) mirrors; float64, rounded once to float32.

    running_var 1 + 0.5u (positive), running_mean 0.2u, norm/bn weights 1 + 0.25u, tokens and
    position embedding 0.5u, other tensors of rank >= 2 sqrt(3 / fan_in) u, other vectors 0.1u.
    """
    u = uniform(name, shape)
    parts = name.split(".")
    if parts[-1] == "running_var":
        v = 1.0 + 0.5 * u
    elif parts[-1] == "running_mean":
        v = 0.2 * u
    elif name in ("cls_token", "pos_embed"):
        v = 0.5 * u
    elif len(parts) >= 2 and parts[-1] == "weight" and parts[-2] in NORM_NAMES:
        v = 1.0 + 0.25 * u
    elif len(shape) >= 2:
        v = math.sqrt(3.0 / int(np.prod(shape[1:]))) * u
    else:
        v = 0.1 * u
    return torch.from_numpy(v.astype(np.float32))


def tensor(name, shape):
    """An input-like tensor: uniform(name) in [-1, 1) as float32."""
    return torch.from_numpy(uniform(name, shape).astype(np.float32))


# ---------------------------------------------------------------- TF SAME padding
def same_pad(size, k, s, d=1):
    """(before, after) zero rows for TF 'SAME': output ceil(size / s), the odd one after."""
    total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def pad_same(x, k, s, fill=0.0):
    top, bottom = same_pad(x.shape[-2], k, s)
    left, right = same_pad(x.shape[-1], k, s)
    return F.pad(x, (left, right, top, bottom), value=fill)


# ---------------------------------------------------------------- ResNetV2 pieces (timm semantics)
def std_conv_same(x, w, stride, eps=WS_EPS):
    """StdConv2dSame: per-output-channel standardised weight (biased variance), SAME padding, no bias."""
    out = w.shape[0]
    ws = F.batch_norm(w.reshape(1, out, -1), None, None, training=True, momentum=0.0, eps=eps).reshape_as(w)
    return F.conv2d(pad_same(x, w.shape[-1], stride), ws, None, stride)


def gn(x, sd, key, act=True):
    """GroupNormAct(C, num_groups=32, eps=1e-5), ReLU unless act=False."""
    y = F.group_norm(x, GN_GROUPS, sd[key + ".weight"], sd[key + ".bias"], GN_EPS)
    return F.relu(y) if act else y


def max_pool_same(x):
    """MaxPool2dSame(3, stride 2): pad with -inf, then an unpadded max-pool."""
    return F.max_pool2d(pad_same(x, 3, 2, fill=-float("inf")), 3, 2)


def make_divisible(v, divisor=8):
    nv = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return nv + divisor if nv < 0.9 * v else nv


class BackboneSpec:
    """A ResNetV2 as the hybrids build it: preact=False, stem_type='same', StdConv2dSame(eps=1e-8)."""

    def __init__(self, layers=(), channels=(256, 512, 1024, 2048), stem_chs=64, bottle_ratio=0.25, in_chans=3):
        self.layers, self.channels, self.stem_chs = tuple(layers), tuple(channels), stem_chs
        self.bottle_ratio, self.in_chans = bottle_ratio, in_chans

    @property
    def stem_only(self):
        return len(self.layers) == 0

    @property
    def out_chs(self):
        return self.stem_chs if self.stem_only else self.channels[len(self.layers) - 1]

    def shapes(self):
        """timm state-dict keys relative to patch_embed.backbone, with shapes, in module order."""
        s, stem = {}, "" if self.stem_only else "stem."
        s[stem + "conv.weight"] = (self.stem_chs, self.in_chans, 7, 7)
        s[stem + "norm.weight"] = s[stem + "norm.bias"] = (self.stem_chs,)
        prev = self.stem_chs
        for si, (depth, out) in enumerate(zip(self.layers, self.channels)):
            mid = make_divisible(out * self.bottle_ratio)
            for bi in range(depth):
                p = "stages.%d.blocks.%d." % (si, bi)
                if bi == 0:
                    s[p + "downsample.conv.weight"] = (out, prev, 1, 1)
                    s[p + "downsample.norm.weight"] = s[p + "downsample.norm.bias"] = (out,)
                for name, shape in (("conv1", (mid, prev, 1, 1)), ("conv2", (mid, mid, 3, 3)), ("conv3", (out, mid, 1, 1))):
                    s[p + name + ".weight"] = shape
                    c = shape[0]
                    s[p + "norm" + name[-1] + ".weight"] = s[p + "norm" + name[-1] + ".bias"] = (c,)
                prev = out
        return s

    def forward(self, x, sd):
        """Backbone output and timm's forward_intermediates list; sd keys relative to the backbone."""
        stem = "" if self.stem_only else "stem."
        x = gn(std_conv_same(x, sd[stem + "conv.weight"], 2), sd, stem + "norm")
        inter = [x]
        x = max_pool_same(x)
        for si, depth in enumerate(self.layers):
            for bi in range(depth):
                p = "stages.%d.blocks.%d." % (si, bi)
                stride = 2 if si > 0 and bi == 0 else 1
                shortcut = x
                if bi == 0:
                    shortcut = gn(std_conv_same(x, sd[p + "downsample.conv.weight"], stride), sd, p + "downsample.norm", act=False)
                y = gn(std_conv_same(x, sd[p + "conv1.weight"], 1), sd, p + "norm1")
                y = gn(std_conv_same(y, sd[p + "conv2.weight"], stride), sd, p + "norm2")
                y = gn(std_conv_same(y, sd[p + "conv3.weight"], 1), sd, p + "norm3", act=False)
                x = F.relu(y + shortcut)
            inter.append(x)
        return x, inter


def self_check_std_conv():
    """Our SAME composition agrees with torch's own padding='same' where torch has it (stride 1)."""
    x, w = tensor("check.x", (1, 3, 9, 8)), tensor("check.w", (4, 3, 3, 3))
    ws = F.batch_norm(w.reshape(1, 4, -1), None, None, training=True, momentum=0.0, eps=WS_EPS).reshape_as(w)
    assert torch.allclose(std_conv_same(x, w, 1), F.conv2d(x, ws, None, 1, padding="same"), atol=1e-6)
    flat = ws.reshape(4, -1)
    assert torch.allclose(flat.mean(1), torch.zeros(4), atol=1e-6)
    assert torch.allclose(flat.var(1, unbiased=False), torch.ones(4), atol=1e-5)
    for size, k, s in ((224, 7, 2), (112, 3, 2), (15, 3, 2), (14, 1, 2), (9, 7, 2)):
        y = std_conv_same(torch.zeros(1, 3, size, size), torch.ones(2, 3, k, k) + torch.arange(k * k).reshape(k, k), s)
        assert y.shape[-1] == math.ceil(size / s), (size, k, s, y.shape)


# ---------------------------------------------------------------- the hybrid ViT
class Hybrid:
    """timm's VisionTransformer with HybridEmbed(backbone, patch_size) and global_pool='token'."""

    def __init__(self, spec, img, patch, dim, depth, heads, classes):
        self.spec, self.patch = spec, patch
        feat = img
        for _ in range(2 if spec.stem_only else 2 + max(len(spec.layers) - 1, 0)):
            feat = math.ceil(feat / 2)
        assert feat % patch == 0, (feat, patch)
        self.grid = feat // patch
        norm = functools.partial(torch.nn.LayerNorm, eps=LN_EPS)
        # torchvision's ViT over a grid x grid token map: its own patch conv is unused here, the
        # hybrid's projection (patch_embed.proj) replaces it.
        self.tv = VisionTransformer(self.grid, 1, depth, heads, dim, 4 * dim, num_classes=classes, norm_layer=norm).eval()
        self.timm = {}
        for k, shape in spec.shapes().items():
            self.timm["patch_embed.backbone." + k] = value("patch_embed.backbone." + k, shape)
        self.timm["patch_embed.proj.weight"] = value("patch_embed.proj.weight", (dim, spec.out_chs, patch, patch))
        self.timm["patch_embed.proj.bias"] = value("patch_embed.proj.bias", (dim,))
        tv_state = self.tv.state_dict()
        with torch.no_grad():
            for tm, tv in timm_to_torchvision(depth).items():
                if tm.startswith("patch_embed."):
                    continue
                self.timm[tm] = value(tm, tuple(tv_state[tv].shape))
                tv_state[tv].copy_(self.timm[tm])

    @torch.no_grad()
    def forward(self, x):
        sd = {k[len("patch_embed.backbone."):]: v for k, v in self.timm.items() if k.startswith("patch_embed.backbone.")}
        feats, inter = self.spec.forward(x, sd)
        t = F.conv2d(feats, self.timm["patch_embed.proj.weight"], self.timm["patch_embed.proj.bias"], stride=self.patch)
        b = x.shape[0]
        tokens = t.flatten(2).transpose(1, 2)
        z = torch.cat([self.tv.class_token.expand(b, -1, -1), tokens], dim=1)
        z = self.tv.encoder(z)  # + pos_embedding, blocks, final LayerNorm
        emb = z[:, 0]
        out = {"features": feats, "tokens": tokens, "logits": self.tv.heads(emb), "embedding": emb}
        if not self.spec.stem_only:
            for i, t_i in enumerate(inter[:-1]):
                out["intermediates.%d" % i] = t_i
        return out


def hybrid_config(arch, classes, model_args, img, first_conv):
    return {
        "architecture": arch,
        "num_classes": classes,
        "num_features": model_args["embed_dim"],
        "global_pool": "token",
        "model_args": model_args,
        "pretrained_cfg": {
            "tag": "visionstream_fixture",
            "custom_load": False,
            "input_size": [3, img, img],
            "fixed_input_size": True,
            "interpolation": "bicubic",
            "crop_pct": 0.9,
            "crop_mode": "center",
            "mean": HALF,
            "std": HALF,
            "num_classes": classes,
            "pool_size": None,
            "first_conv": first_conv,
            "classifier": "head",
        },
    }


def write_case(name, cfg, model, refs):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    if cfg is not None:
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
    if model is not None:
        write_safetensors(os.path.join(d, "model.safetensors"), model)
    write_safetensors(os.path.join(d, "reference.safetensors"), refs)


# ---------------------------------------------------------------- conv stem (torchvision)
def conv_stem_case(img, stem_channels, dim, depth, heads, classes):
    """torchvision's ViT with Xiao et al.'s conv stem; returns (timm-keyed weights, tv model)."""
    patch = 2 ** len(stem_channels)
    norm = functools.partial(torch.nn.LayerNorm, eps=LN_EPS)
    cfgs = [ConvStemConfig(out_channels=c, kernel_size=3, stride=2) for c in stem_channels]
    tv = VisionTransformer(img, patch, depth, heads, dim, 4 * dim, num_classes=classes, norm_layer=norm,
                           conv_stem_configs=cfgs).eval()
    names = {}
    n = len(stem_channels)
    for i in range(n):
        names["patch_embed.backbone.%d.conv.weight" % i] = "conv_proj.conv_bn_relu_%d.0.weight" % i
        for s in ("weight", "bias", "running_mean", "running_var"):
            names["patch_embed.backbone.%d.bn.%s" % (i, s)] = "conv_proj.conv_bn_relu_%d.1.%s" % (i, s)
    names["patch_embed.backbone.%d.conv.weight" % n] = "conv_proj.conv_last.weight"
    names["patch_embed.backbone.%d.conv.bias" % n] = "conv_proj.conv_last.bias"
    for tm, tvn in timm_to_torchvision(depth).items():
        if not tm.startswith("patch_embed."):
            names[tm] = tvn
    tv_state = tv.state_dict()
    assert set(tv_state) - set(names.values()) == {
        "conv_proj.conv_bn_relu_%d.1.num_batches_tracked" % i for i in range(n)}, set(tv_state) - set(names.values())
    timm = {}
    with torch.no_grad():
        for tm, tvn in names.items():
            timm[tm] = value(tm, tuple(tv_state[tvn].shape))
            tv_state[tvn].copy_(timm[tm])
    return timm, tv


def main():
    self_check_std_conv()
    os.makedirs(ROOT, exist_ok=True)

    # (0) single layers, odd and even map sizes.
    refs = {}
    for tag, shape in (("odd", (2, 3, 9, 11)), ("even", (2, 3, 8, 10))):
        x = tensor("layers.x_" + tag, shape)
        refs["x_" + tag] = x
        for k, s in ((7, 2), (3, 2), (1, 2), (3, 1)):
            w = value("layers.w%d.weight" % k, (4, 3, k, k))
            refs["w%d" % k] = w
            refs["std_conv.k%d_s%d.%s" % (k, s, tag)] = std_conv_same(x, w, s)
        refs["max_pool.%s" % tag] = max_pool_same(x)
    x = tensor("layers.gn_x", (2, 8, 5, 7))
    gn_sd = {"gn.weight": value("layers.gn.weight", (8,)) + 1.0, "gn.bias": value("layers.gn.bias", (8,))}
    refs.update({"gn.x": x, "gn.weight": gn_sd["gn.weight"], "gn.bias": gn_sd["gn.bias"]})
    refs["gn.out_act"] = F.relu(F.group_norm(x, 4, gn_sd["gn.weight"], gn_sd["gn.bias"], GN_EPS))
    refs["gn.out"] = F.group_norm(x, 4, gn_sd["gn.weight"], gn_sd["gn.bias"], GN_EPS)
    bn = torch.nn.BatchNorm2d(6)
    with torch.no_grad():
        for s in ("weight", "bias", "running_mean", "running_var"):
            getattr(bn, s).copy_(value("layers.bn." + s, (6,)))
            refs["bn." + s] = getattr(bn, s).clone()
    x = tensor("layers.bn_x", (4, 6, 5, 5)) * 2.0 + 0.3
    refs["bn.x"] = x
    with torch.no_grad():
        bn.train()
        refs["bn.train_out_act"] = F.relu(bn(x))
        refs["bn.train_running_mean"] = bn.running_mean.clone()
        refs["bn.train_running_var"] = bn.running_var.clone()
        bn.eval()
        refs["bn.eval_out_act"] = F.relu(bn(x))
    write_case("layers", None, None, refs)

    # (a) vit_tiny_r_s16_p8 shrunk: stem-only backbone (32 channels), patch 8 on the stride-4 map.
    tiny_spec = BackboneSpec(layers=(), stem_chs=32)
    tiny = Hybrid(tiny_spec, img=64, patch=8, dim=24, depth=2, heads=2, classes=10)
    x = tensor("input", (2, 3, 64, 64))
    tiny_args = dict(img_size=64, patch_size=8, embed_dim=24, depth=2, num_heads=2, backbone_args=dict(stem_chs=32))
    write_case("tiny_r_s16_p8", hybrid_config("vit_tiny_r_s16_p8_224", 10, tiny_args, 64, "patch_embed.backbone.conv"),
               tiny.timm, dict(input=x, **tiny.forward(x)))

    # (b) vit_small_r26_s32 shrunk: stem 32, stages (2, 1) blocks of width 128 (mid 32), 44x44 input so
    # that map sizes 22 -> 11 -> 6 exercise the odd SAME pads; patch 1 on the stride-8 map.
    r26_spec = BackboneSpec(layers=(2, 1), channels=(128, 128), stem_chs=32)
    r26 = Hybrid(r26_spec, img=44, patch=1, dim=32, depth=2, heads=2, classes=10)
    x = tensor("input", (2, 3, 44, 44))
    r26_args = dict(img_size=44, embed_dim=32, depth=2, num_heads=2,
                    backbone_args=dict(layers=[2, 1], channels=[128, 128], stem_chs=32))
    r26_cfg = hybrid_config("vit_small_r26_s32_224", 10, r26_args, 44, "patch_embed.backbone.stem.conv")
    out = r26.forward(x)
    out["intermediates.0.c0_8"] = out.pop("intermediates.0")[:, :8]  # the stem is checked in full by (a)
    write_case("small_r26_s32", r26_cfg, r26.timm, dict(input=x, **out))

    # (c) conv stem: 3x3/2 conv + BN + ReLU with 8, 16, 32 channels, then a 1x1 conv to 32 (stride 8).
    stem_timm, tv = conv_stem_case(64, (8, 16, 32), 32, 2, 2, 10)
    x = tensor("input", (2, 3, 64, 64))
    with torch.no_grad():
        stem_out = tv.conv_proj(x)
        tokens = tv._process_input(x)
        z = tv.encoder(torch.cat([tv.class_token.expand(2, -1, -1), tokens], dim=1))
        refs = dict(input=x, features=stem_out, tokens=tokens, logits=tv(x), embedding=z[:, 0])
        assert torch.allclose(tv.heads(z[:, 0]), refs["logits"], atol=1e-6)
        train_stem = copy.deepcopy(tv.conv_proj).train()
        refs["train.features"] = train_stem(x)
        for i in range(3):
            bn_i = getattr(train_stem, "conv_bn_relu_%d" % i)[1]
            refs["train.%d.bn.running_mean" % i] = bn_i.running_mean.clone()
            refs["train.%d.bn.running_var" % i] = bn_i.running_var.clone()
    stem_args = dict(img_size=64, patch_size=8, embed_dim=32, depth=2, num_heads=2, stem="conv",
                     stem_channels=[8, 16, 32])
    write_case("conv_stem", hybrid_config("vit_tiny_patch16_224", 10, stem_args, 64, "patch_embed.backbone.0.conv"),
               stem_timm, refs)

    # (d) a PNG through timm's eval transform for (b): resize shorter side to floor(44 / 0.9) = 48,
    # bicubic, centre crop 44, mean/std 0.5.
    h, w = 76, 100
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    rgb = np.stack([
        255 * xx / (w - 1),
        255 * (0.5 + 0.5 * np.sin(yy / 6.0) * np.cos(xx / 5.0)),
        255 * (((xx - 62) ** 2 + (yy - 35) ** 2) < 18 ** 2),
    ], axis=-1)
    rgb += np.random.default_rng(1).normal(0, 12, rgb.shape)
    d = os.path.join(ROOT, "png_small_r26")
    os.makedirs(d, exist_ok=True)
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB").save(os.path.join(d, "image_100x76.png"))
    tf = T.Compose([
        T.Resize(int(math.floor(44 / 0.9)), interpolation=T.InterpolationMode.BICUBIC),
        T.CenterCrop(44),
        T.ToTensor(),
        T.Normalize(HALF, HALF),
    ])
    x = tf(Image.open(os.path.join(d, "image_100x76.png")).convert("RGB")).unsqueeze(0)
    out = r26.forward(x)
    write_case("png_small_r26", None, None, dict(input=x, logits=out["logits"], embedding=out["embedding"]))

    # (e) vit_small_r26_s32_224 at full backbone width with 2 ViT blocks, 224 input (no resize).
    # Weights are rebuilt by the Java test; only channel slices of the big maps are kept.
    full = Hybrid(BackboneSpec(layers=(2, 2, 2, 2)), img=224, patch=1, dim=384, depth=2, heads=6, classes=1000)
    x = tensor("input", (1, 3, 224, 224))
    out = full.forward(x)
    out["intermediates.4"] = out["features"]
    refs = {"logits": out["logits"], "embedding": out["embedding"], "features.c0_64": out["features"][:, :64]}
    for i, c in enumerate((1, 2, 8, 8, 8)):  # leading channels only: the early maps are large
        refs["intermediates.%d.c0_%d" % (i, c)] = out["intermediates.%d" % i][:, :c]
    write_case("r26_s32_224", hybrid_config("vit_small_r26_s32_224", 1000, dict(depth=2, embed_dim=384, num_heads=6), 224,
                                            "patch_embed.backbone.stem.conv"), None, refs)
    n_full = sum(int(np.prod(s)) for s in BackboneSpec(layers=(2, 2, 2, 2)).shapes().values())
    print("r26 backbone parameters:", n_full)
    print("fixtures written under", os.path.normpath(ROOT))


if __name__ == "__main__":
    main()
