#!/usr/bin/python3
"""Writes the reference fixtures for the Java Swin Transformer (v1) tests (run by hand, never in CI).

    /usr/bin/python3 inference/src/test/python/make_swin_fixtures.py

Reference implementation: torchvision's SwinTransformer (Debian python3-torchvision 0.14,
python3-torch 1.13), which has the same maths as timm's Swin v1 (pre-norm blocks, fused qkv, scale
head_dim^-0.5, relative position bias table indexed by the pair offsets, -100 additive mask on the
shifted windows, exact GELU, LayerNorm eps 1e-5, 2x2 patch merging, average pool, linear head).

Where timm and torchvision differ, each block is rebuilt from torchvision's own SwinTransformerBlock
with the window and shift timm would use, so the numbers stay torchvision's:
  * timm shrinks a window to the feature map on any axis where the map is not larger than the window,
    and does not shift on that axis (SwinTransformerBlock._calc_window_shift). torchvision keeps the
    window and pads the map with zeros that take part in attention. Blocks on such maps are rebuilt
    with the shrunk (possibly rectangular) window; their relative position bias table then has
    (2*wh - 1) * (2*ww - 1) rows, as in timm's state dict at that image size.
  * A map larger than the window but not a multiple of it: torchvision (and mmsegmentation) pad the
    map at the bottom/right first, then shift the padded map and mask over the padded frame. timm
    (since 2023-08) shifts the unpadded map and then pads. The two agree on every block without
    shift and disagree on shifted blocks of such maps. The Java code follows torchvision/mmseg here
    and case pad_80x48 checks that order; timm's order is not a reference anywhere in these fixtures.

torchvision 0.14 -> timm key mapping (timm's current layout: stage i > 0 starts with its downsample):
  features.0.0.{weight,bias}            -> patch_embed.proj.{weight,bias}
  features.0.2.{weight,bias}            -> patch_embed.norm.{weight,bias}
  features.{2i+1}.{j}.norm1 / norm2     -> layers.{i}.blocks.{j}.norm1 / norm2
  features.{2i+1}.{j}.attn.qkv / proj   -> layers.{i}.blocks.{j}.attn.qkv / proj
  features.{2i+1}.{j}.attn.relative_position_bias_table -> layers.{i}.blocks.{j}.attn.relative_position_bias_table
  features.{2i+1}.{j}.mlp.0 / mlp.3     -> layers.{i}.blocks.{j}.mlp.fc1 / fc2
  features.{2i}.{norm,reduction} (i>0)  -> layers.{i}.downsample.{norm,reduction}
  norm                                  -> norm
  head                                  -> head.fc
torchvision's relative_position_index buffer (flattened, [N*N]) is not a parameter and is dropped.
Patch merging needs no re-ordering: torchvision concatenates x[0::2, 0::2], x[1::2, 0::2],
x[0::2, 1::2], x[1::2, 1::2], which is the order timm's reshape(B, H/2, 2, W/2, 2, C)
.permute(0, 1, 3, 4, 2, 5).flatten(3) produces (checked below by check_patch_merging_order).

Values come from make_vit_fixtures.py's counter-based generator (splitmix64 of crc32(name) and the
element index) with the rule in value() below; relative position bias tables get 0.5u so that the
bias visibly changes the attention.

Output in inference/src/test/resources/fixtures/swin/<case>/ (config.json in timm's hub layout with
architecture swin_tiny_patch4_window7_224 and model_args overriding its sizes, model.safetensors,
reference.safetensors):
  native_128/   128x128, patch 4, embed 8, depths (2,2,2,2), heads (2,2,4,4), window 4: maps 32, 16,
                8, 4 (the last one covered by one window, so its shifted block does not shift).
                Also stage_norms.safetensors: mmsegmentation-style per-stage LayerNorms norm0..norm3
                (weights and torch.nn.LayerNorm outputs on torchvision's stage maps, NCHW).
  shrink_64/    the same architecture at 64x64: maps 16, 8, 4, 2; stage 3's window shrinks to 2x2.
  pad_80x48/    80x48 (HxW), embed 8, depths (2,2,2), heads (2,2,4), window 5: maps 20x12 (width padded
                to 15, shifted), 10x6 (width padded to 10, shifted), 5x3 (window 5x3, no shift).
  legacy_128/   native_128's weights in the old checkpoint layout timm's checkpoint_filter_fn converts:
                layers.{i}.downsample at the END of stage i (i < last), head.weight/bias instead of
                head.fc.*, plus the buffers relative_position_index (I64, [N, N]) in every block and
                attn_mask (F32, [nW, N, N]) in every block that shifts. No reference file: it must load
                to native_128's numbers.
reference.safetensors keys: input [B,3,H,W], logits [B,K], embedding [B,C] (pooled pre-logits),
stage{i} [B,C_i,H_i,W_i] (output of layers.{i}, NCHW, before any norm); native_128 and pad_80x48 add
relative_position_index.{i} (torchvision's buffer of stage i's blocks, as F32 [N*N]).
"""
import functools
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torchvision.models.swin_transformer import SwinTransformer, SwinTransformerBlock, _patch_merging_pad

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_vit_fixtures import uniform  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "swin")
LN_EPS = 1e-5
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def value(name, shape):
    """LayerNorm weights (module name norm*) 1 + 0.25u, bias tables 0.5u, other tensors of rank >= 2 sqrt(3 / fan_in) u, vectors 0.1u."""
    u = uniform(name, shape)
    parts = name.split(".")
    if len(parts) >= 2 and parts[-1] == "weight" and parts[-2].startswith("norm"):
        v = 1.0 + 0.25 * u
    elif parts[-1] == "relative_position_bias_table":
        v = 0.5 * u
    elif len(shape) >= 2:
        v = math.sqrt(3.0 / int(np.prod(shape[1:]))) * u
    else:
        v = 0.1 * u
    return torch.from_numpy(v.astype(np.float32))


def write_safetensors(path, tensors):
    """F32 for floating tensors, I64 for integer ones (real checkpoints store the index buffer as I64)."""
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype in (torch.int64, torch.int32):
            data, dtype = t.to(torch.int64).numpy().astype("<i8").tobytes(), "I64"
        else:
            data, dtype = t.to(torch.float32).numpy().astype("<f4").tobytes(), "F32"
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def window_and_shift(map_hw, window, shifted):
    """timm's rule: an axis whose map is not larger than the window gets window = map and no shift."""
    win = [m if m <= window else window for m in map_hw]
    shift = [0 if m <= window or not shifted else window // 2 for m in map_hw]
    return win, shift


def check_patch_merging_order():
    x = torch.from_numpy(uniform("check.merge", (2, 6, 4, 3)).astype(np.float32))
    b, h, w, c = x.shape
    timm_order = x.reshape(b, h // 2, 2, w // 2, 2, c).permute(0, 1, 3, 4, 2, 5).flatten(3)
    assert torch.equal(timm_order, _patch_merging_pad(x)), "patch merging orders differ"


class Case:
    """A torchvision SwinTransformer whose blocks use timm's window/shift rule, and its timm-keyed weights."""

    def __init__(self, img_hw, patch, dim, depths, heads, window, classes):
        self.img_hw, self.patch, self.depths = img_hw, patch, depths
        norm = functools.partial(torch.nn.LayerNorm, eps=LN_EPS)
        self.tv = SwinTransformer([patch, patch], dim, depths, heads, [window, window], stochastic_depth_prob=0.0,
                                  num_classes=classes, norm_layer=norm)
        self.maps, self.blocks = [], {}
        hw = [s // patch for s in img_hw]
        for i, depth in enumerate(depths):
            if i > 0:
                hw = [(s + 1) // 2 for s in hw]
            self.maps.append(tuple(hw))
            d = dim * 2 ** i
            for j in range(depth):
                win, shift = window_and_shift(hw, window, j % 2 == 1)
                self.blocks[(i, j)] = (win, shift)
                self.tv.features[2 * i + 1][j] = SwinTransformerBlock(
                    d, heads[i], win, shift, mlp_ratio=4.0, stochastic_depth_prob=0.0, norm_layer=norm)
        self.tv.eval()
        self.names = {"patch_embed.proj.weight": "features.0.0.weight", "patch_embed.proj.bias": "features.0.0.bias",
                      "patch_embed.norm.weight": "features.0.2.weight", "patch_embed.norm.bias": "features.0.2.bias",
                      "norm.weight": "norm.weight", "norm.bias": "norm.bias",
                      "head.fc.weight": "head.weight", "head.fc.bias": "head.bias"}
        for i, depth in enumerate(depths):
            if i > 0:
                for s in ("norm.weight", "norm.bias", "reduction.weight"):
                    self.names["layers.%d.downsample.%s" % (i, s)] = "features.%d.%s" % (2 * i, s)
            for j in range(depth):
                tm, tv = "layers.%d.blocks.%d." % (i, j), "features.%d.%d." % (2 * i + 1, j)
                for a, b in (("norm1", "norm1"), ("norm2", "norm2"), ("attn.qkv", "attn.qkv"),
                             ("attn.proj", "attn.proj"), ("mlp.fc1", "mlp.0"), ("mlp.fc2", "mlp.3")):
                    for s in ("weight", "bias"):
                        self.names[tm + a + "." + s] = tv + b + "." + s
                self.names[tm + "attn.relative_position_bias_table"] = tv + "attn.relative_position_bias_table"
        state = self.tv.state_dict()
        leftover = {k for k in state if not k.endswith("relative_position_index")} - set(self.names.values())
        assert not leftover, leftover
        self.timm = {}
        with torch.no_grad():
            for tm, tv in self.names.items():
                self.timm[tm] = value(tm, tuple(state[tv].shape))
                state[tv].copy_(self.timm[tm])

    @torch.no_grad()
    def forward(self, x):
        out = {"input": x}
        z = self.tv.features[0](x)
        for i in range(len(self.depths)):
            if i > 0:
                z = self.tv.features[2 * i](z)
            z = self.tv.features[2 * i + 1](z)
            out["stage%d" % i] = z.permute(0, 3, 1, 2).contiguous()
        emb = torch.flatten(self.tv.avgpool(self.tv.permute(self.tv.norm(z))), 1)
        out["embedding"] = emb
        out["logits"] = self.tv(x)
        assert torch.allclose(self.tv.head(emb), out["logits"], atol=1e-6)
        return out

    def relative_position_index(self, stage):
        return self.tv.features[2 * stage + 1][0].attn.relative_position_index.to(torch.float32)

    def legacy_state(self):
        """The same weights in the pre-2023 layout, with the index and mask buffers old checkpoints carry."""
        old = {}
        for k, v in self.timm.items():
            if ".downsample." in k:
                i = int(k.split(".")[1])
                k = k.replace("layers.%d.downsample" % i, "layers.%d.downsample" % (i - 1))
            elif k.startswith("head.fc."):
                k = "head." + k[len("head.fc."):]
            old[k] = v
        for (i, j), (win, shift) in self.blocks.items():
            attn = self.tv.features[2 * i + 1][j].attn
            n = win[0] * win[1]
            old["layers.%d.blocks.%d.attn.relative_position_index" % (i, j)] = attn.relative_position_index.view(n, n)
            if any(shift):
                old["layers.%d.blocks.%d.attn_mask" % (i, j)] = shift_mask(self.maps[i], win, shift)
        return old


def shift_mask(hw, win, shift):
    """The [nW, N, N] 0/-100 mask of a shifted block over the padded map (timm's old attn_mask buffer)."""
    ph, pw = [math.ceil(s / w) * w for s, w in zip(hw, win)]
    img = torch.zeros(ph, pw)
    cnt = 0
    for h in ((0, -win[0]), (-win[0], -shift[0]), (-shift[0], None)):
        for w in ((0, -win[1]), (-win[1], -shift[1]), (-shift[1], None)):
            img[h[0]:h[1], w[0]:w[1]] = cnt
            cnt += 1
    m = img.view(ph // win[0], win[0], pw // win[1], win[1]).permute(0, 2, 1, 3).reshape(-1, win[0] * win[1])
    m = m.unsqueeze(1) - m.unsqueeze(2)
    return m.masked_fill(m != 0, -100.0).masked_fill(m == 0, 0.0)


def config_json(case, model_args, classes):
    h, w = case.img_hw
    return {
        "architecture": "swin_tiny_patch4_window7_224",
        "num_classes": classes,
        "num_features": model_args["embed_dim"] * 2 ** (len(model_args["depths"]) - 1),
        "global_pool": "avg",
        "model_args": model_args,
        "pretrained_cfg": {
            "tag": "visionstream_fixture",
            "custom_load": False,
            "input_size": [3, h, w],
            "fixed_input_size": True,
            "interpolation": "bicubic",
            "crop_pct": 0.9,
            "crop_mode": "center",
            "mean": IMAGENET_MEAN,
            "std": IMAGENET_STD,
            "num_classes": classes,
            "pool_size": list(case.maps[-1]),
            "first_conv": "patch_embed.proj",
            "classifier": "head.fc",
        },
    }


def write_case(name, cfg, tensors, refs, extra=None):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(d, "model.safetensors"), tensors)
    if refs is not None:
        write_safetensors(os.path.join(d, "reference.safetensors"), refs)
    for file, t in (extra or {}).items():
        write_safetensors(os.path.join(d, file), t)
    for f in sorted(os.listdir(d)):
        print("  %-14s %-26s %8d bytes" % (name, f, os.path.getsize(os.path.join(d, f))))


def main():
    check_patch_merging_order()
    os.makedirs(ROOT, exist_ok=True)
    torch.manual_seed(0)

    # (a) native size: every map a multiple of the window; the last map equals the window.
    args = dict(img_size=128, patch_size=4, window_size=4, embed_dim=8, depths=[2, 2, 2, 2], num_heads=[2, 2, 4, 4])
    native = Case((128, 128), 4, 8, [2, 2, 2, 2], [2, 2, 4, 4], 4, 10)
    x = torch.from_numpy(uniform("input", (2, 3, 128, 128)).astype(np.float32))
    refs = native.forward(x)
    for i in range(4):
        refs["relative_position_index.%d" % i] = native.relative_position_index(i)
    norms, normed = {}, {}
    for i in range(4):
        c = 8 * 2 ** i
        ln = torch.nn.LayerNorm(c, eps=LN_EPS)
        with torch.no_grad():
            ln.weight.copy_(value("norm%d.weight" % i, (c,)))
            ln.bias.copy_(value("norm%d.bias" % i, (c,)))
            norms["norm%d.weight" % i], norms["norm%d.bias" % i] = ln.weight.clone(), ln.bias.clone()
            normed["stage%d_normed" % i] = ln(refs["stage%d" % i].permute(0, 2, 3, 1)).permute(0, 3, 1, 2).contiguous()
    write_case("native_128", config_json(native, args, 10), native.timm, refs,
               {"stage_norms.safetensors": dict(**norms, **normed)})

    # (b) the same architecture at 64x64: stage 2's map equals the window (no shift), stage 3's is smaller
    # (window shrinks to 2x2, a 9-row bias table).
    args64 = dict(args, img_size=64)
    small = Case((64, 64), 4, 8, [2, 2, 2, 2], [2, 2, 4, 4], 4, 10)
    assert small.blocks[(3, 1)] == ([2, 2], [0, 0]) and small.blocks[(2, 1)] == ([4, 4], [0, 0])
    write_case("shrink_64", config_json(small, args64, 10), small.timm,
               small.forward(torch.from_numpy(uniform("input", (2, 3, 64, 64)).astype(np.float32))))

    # (c) non-square and not a multiple of the window: padding before the shift, then a rectangular window.
    args_pad = dict(img_size=[80, 48], patch_size=4, window_size=5, embed_dim=8, depths=[2, 2, 2], num_heads=[2, 2, 4])
    pad = Case((80, 48), 4, 8, [2, 2, 2], [2, 2, 4], 5, 10)
    assert pad.maps == [(20, 12), (10, 6), (5, 3)], pad.maps
    assert pad.blocks[(0, 1)] == ([5, 5], [2, 2]) and pad.blocks[(2, 1)] == ([5, 3], [0, 0])
    refs = pad.forward(torch.from_numpy(uniform("input", (2, 3, 80, 48)).astype(np.float32)))
    for i in range(3):
        refs["relative_position_index.%d" % i] = pad.relative_position_index(i)
    write_case("pad_80x48", config_json(pad, args_pad, 10), pad.timm, refs)

    # (d) native_128's weights as an old checkpoint: old downsample placement, head.*, index and mask buffers.
    write_case("legacy_128", config_json(native, args, 10), native.legacy_state(), None)
    print("fixtures written under", os.path.normpath(ROOT))


if __name__ == "__main__":
    main()
