#!/usr/bin/python3
"""Writes the reference fixtures for the Java ViT tests (run by hand, never in CI).

    /usr/bin/python3 inference/src/test/python/make_vit_fixtures.py

Reference implementation: torchvision's VisionTransformer (Debian python3-torchvision 0.14,
python3-torch 1.13). Cases torchvision cannot express directly (non-square input with a resampled
position grid, "avg" pooling with fc_norm, the DeiT distillation token) are composed here from
torchvision's own patch projection and encoder blocks plus plain torch ops, following timm's
vision_transformer.py.

Weights and inputs come from a counter-based generator (splitmix64 of crc32(name) and the element
index) so that the Java tests can rebuild the large "small_224" case bit for bit instead of
committing a 15 MB checkpoint. Small cases are written in full in timm's hub layout
(config.json + model.safetensors) and read back by the Java loader as they are.

Output per case, in inference/src/test/resources/fixtures/vit/<case>/:
  config.json, model.safetensors (not for small_224), reference.safetensors with
  input [B,3,H,W] (not for small_224), logits [B,K], embedding [B,D],
  block0 [B,D,H/P,W/P] (output of block 0, patch tokens only) and, for tiny, block0_normed.
"""
import functools
import json
import math
import os
import struct
import zlib

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image
from torchvision.models.vision_transformer import VisionTransformer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "vit")
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------- deterministic values
def splitmix64(x):
    """splitmix64 finaliser on uint64 numpy arrays (wrapping arithmetic, as Java longs)."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def uniform(name, shape):
    """Values in [-1, 1): u = top 24 bits of splitmix64((crc32(name) << 32) | i) / 2^24; 2u - 1."""
    n = int(np.prod(shape))
    seed = np.uint64(zlib.crc32(name.encode("utf-8")) << 32)
    h = splitmix64(seed | np.arange(n, dtype=np.uint64))
    u = (h >> np.uint64(40)).astype(np.float64) / float(1 << 24)
    return (2.0 * u - 1.0).reshape(shape)


def param_value(name, shape):
    """The value rule the Java test helper mirrors: computed in float64, rounded once to float32."""
    u = uniform(name, shape)
    parts = name.split(".")
    if name in ("cls_token", "dist_token", "pos_embed"):
        v = 0.5 * u
    elif len(parts) >= 2 and parts[-1] == "weight" and parts[-2] in ("norm", "norm1", "norm2", "fc_norm"):
        v = 1.0 + 0.25 * u
    elif len(shape) >= 2:
        fan_in = int(np.prod(shape[1:]))
        v = math.sqrt(3.0 / fan_in) * u
    else:
        v = 0.1 * u
    return torch.from_numpy(v.astype(np.float32))


# ---------------------------------------------------------------- safetensors by hand
def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------- timm <-> torchvision
def timm_to_torchvision(depth):
    m = {
        "cls_token": "class_token",
        "pos_embed": "encoder.pos_embedding",
        "patch_embed.proj.weight": "conv_proj.weight",
        "patch_embed.proj.bias": "conv_proj.bias",
        "norm.weight": "encoder.ln.weight",
        "norm.bias": "encoder.ln.bias",
        "head.weight": "heads.head.weight",
        "head.bias": "heads.head.bias",
    }
    for i in range(depth):
        tv, tm = "encoder.layers.encoder_layer_%d." % i, "blocks.%d." % i
        for a, b in [("norm1", "ln_1"), ("norm2", "ln_2"), ("attn.proj", "self_attention.out_proj"),
                     ("mlp.fc1", "mlp.0"), ("mlp.fc2", "mlp.3")]:
            for s in ("weight", "bias"):
                m[tm + a + "." + s] = tv + b + "." + s
        m[tm + "attn.qkv.weight"] = tv + "self_attention.in_proj_weight"
        m[tm + "attn.qkv.bias"] = tv + "self_attention.in_proj_bias"
    return m


class Case:
    """A torchvision ViT plus the timm-only extras (dist token, fc_norm, second head)."""

    def __init__(self, img, patch, dim, depth, heads, classes, pool="token", distilled=False, eps=1e-6):
        self.patch, self.dim, self.depth, self.pool, self.distilled = patch, dim, depth, pool, distilled
        norm = functools.partial(torch.nn.LayerNorm, eps=eps)
        self.tv = VisionTransformer(img, patch, depth, heads, dim, 4 * dim, num_classes=classes, norm_layer=norm).eval()
        n_prefix = 2 if distilled else 1
        grid = img // patch
        self.timm = {}
        names = timm_to_torchvision(depth)
        tv_state = self.tv.state_dict()
        for tm, tv in names.items():
            shape = tuple(tv_state[tv].shape)
            if tm == "pos_embed":
                shape = (1, grid * grid + n_prefix, dim)
            if tm.startswith("norm.") and pool == "avg":
                tm = "fc_" + tm  # timm: global_pool='avg' -> norm is Identity, fc_norm holds the LN
            self.timm[tm] = param_value(tm, shape)
        if distilled:
            self.timm["dist_token"] = param_value("dist_token", (1, 1, dim))
            self.timm["head_dist.weight"] = param_value("head_dist.weight", (classes, dim))
            self.timm["head_dist.bias"] = param_value("head_dist.bias", (classes,))
        with torch.no_grad():
            for tm, tv in names.items():
                src = "fc_" + tm if tm.startswith("norm.") and pool == "avg" else tm
                if tm == "pos_embed" and distilled:
                    continue  # forward() adds it itself: it holds two prefix tokens
                tv_state[tv].copy_(self.timm[src])
        self.final_norm = torch.nn.LayerNorm(dim, eps=eps)
        with torch.no_grad():
            key = "fc_norm" if pool == "avg" else "norm"
            self.final_norm.weight.copy_(self.timm[key + ".weight"])
            self.final_norm.bias.copy_(self.timm[key + ".bias"])

    @torch.no_grad()
    def forward(self, x, pos_embed=None, tap=0):
        """timm's VisionTransformer.forward, built from torchvision's modules."""
        tv = self.tv
        pos = self.timm["pos_embed"] if pos_embed is None else pos_embed
        b = x.shape[0]
        x = tv.conv_proj(x)  # patch_embed.proj
        gh, gw = x.shape[-2:]
        x = x.flatten(2).transpose(1, 2)
        prefix = [tv.class_token.expand(b, -1, -1)]
        if self.distilled:
            prefix.append(self.timm["dist_token"].expand(b, -1, -1))
        n_prefix = len(prefix)
        x = torch.cat(prefix + [x], dim=1) + pos
        tapped = None
        for i, layer in enumerate(tv.encoder.layers):
            x = layer(x)
            if i == tap:
                tapped = x
        inter = tapped[:, n_prefix:].reshape(b, gh, gw, -1).permute(0, 3, 1, 2).contiguous()
        out = {"block0": inter}
        if self.pool == "avg":
            emb = self.final_norm(x[:, n_prefix:].mean(dim=1))  # norm is Identity, fc_norm after pool
        else:
            x = self.final_norm(x)
            out["block0_normed"] = self.final_norm(tapped)[:, n_prefix:].reshape(b, gh, gw, -1).permute(0, 3, 1, 2)
            emb = (x[:, 0] + x[:, 1]) / 2 if self.distilled else x[:, 0]
            if self.distilled:
                logits = (tv.heads.head(x[:, 0]) + F.linear(x[:, 1], self.timm["head_dist.weight"], self.timm["head_dist.bias"])) / 2
        if not self.distilled:
            logits = tv.heads.head(emb)
        out["logits"], out["embedding"] = logits, emb
        return out


def resample_abs_pos_embed(posemb, new_size, old_size, num_prefix_tokens):
    """timm.layers.pos_embed.resample_abs_pos_embed with its defaults (bicubic, antialias)."""
    prefix, grid = posemb[:, :num_prefix_tokens], posemb[:, num_prefix_tokens:]
    dim = posemb.shape[-1]
    grid = grid.reshape(1, old_size[0], old_size[1], dim).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=new_size, mode="bicubic", antialias=True, align_corners=False)
    grid = grid.permute(0, 2, 3, 1).reshape(1, -1, dim)
    return torch.cat([prefix, grid], dim=1)


def config_json(arch, classes, pool, model_args, input_size, crop_pct=0.9, labels=None):
    cfg = {
        "architecture": arch,
        "num_classes": classes,
        "num_features": model_args.get("embed_dim"),
        "global_pool": pool,
        "model_args": model_args,
        "pretrained_cfg": {
            "tag": "visionstream_fixture",
            "custom_load": False,
            "input_size": list(input_size),
            "fixed_input_size": True,
            "interpolation": "bicubic",
            "crop_pct": crop_pct,
            "crop_mode": "center",
            "mean": IMAGENET_MEAN,
            "std": IMAGENET_STD,
            "num_classes": classes,
            "pool_size": None,
            "first_conv": "patch_embed.proj",
            "classifier": "head",
        },
    }
    if labels is not None:
        cfg["label_names"] = labels
    return cfg


def write_case(name, case, cfg, refs, with_model=True):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    if with_model:
        write_safetensors(os.path.join(d, "model.safetensors"), case.timm)
    write_safetensors(os.path.join(d, "reference.safetensors"), refs)


def timm_to_hf(timm_state, depth):
    """transformers' ViTForImageClassification keys; timm's fused qkv split into query, key, value."""
    hf = {
        "vit.embeddings.cls_token": timm_state["cls_token"],
        "vit.embeddings.position_embeddings": timm_state["pos_embed"],
        "vit.embeddings.patch_embeddings.projection.weight": timm_state["patch_embed.proj.weight"],
        "vit.embeddings.patch_embeddings.projection.bias": timm_state["patch_embed.proj.bias"],
        "vit.layernorm.weight": timm_state["norm.weight"],
        "vit.layernorm.bias": timm_state["norm.bias"],
        "classifier.weight": timm_state["head.weight"],
        "classifier.bias": timm_state["head.bias"],
    }
    for i in range(depth):
        t, h = "blocks.%d." % i, "vit.encoder.layer.%d." % i
        for s in ("weight", "bias"):
            q, k, v = timm_state[t + "attn.qkv." + s].chunk(3, dim=0)
            hf[h + "attention.attention.query." + s] = q
            hf[h + "attention.attention.key." + s] = k
            hf[h + "attention.attention.value." + s] = v
            hf[h + "attention.output.dense." + s] = timm_state[t + "attn.proj." + s]
            hf[h + "intermediate.dense." + s] = timm_state[t + "mlp.fc1." + s]
            hf[h + "output.dense." + s] = timm_state[t + "mlp.fc2." + s]
            hf[h + "layernorm_before." + s] = timm_state[t + "norm1." + s]
            hf[h + "layernorm_after." + s] = timm_state[t + "norm2." + s]
    return hf


def write_hf_case(name, case, refs):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    classes = case.timm["head.weight"].shape[0]
    cfg = {
        "architectures": ["ViTForImageClassification"],
        "model_type": "vit",
        "hidden_size": case.dim,
        "num_hidden_layers": case.depth,
        "num_attention_heads": 2,
        "intermediate_size": 4 * case.dim,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "layer_norm_eps": 1e-12,
        "image_size": 32,
        "patch_size": case.patch,
        "num_channels": 3,
        "qkv_bias": True,
        "id2label": {str(i): "label_%d" % i for i in range(classes)},
        "label2id": {"label_%d" % i: i for i in range(classes)},
    }
    pre = {
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_processor_type": "ViTImageProcessor",
        "image_std": [0.5, 0.5, 0.5],
        "resample": 2,
        "rescale_factor": 1 / 255,
        "size": {"height": 32, "width": 32},
    }
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(d, "preprocessor_config.json"), "w") as f:
        json.dump(pre, f, indent=2)
    write_safetensors(os.path.join(d, "model.safetensors"), timm_to_hf(case.timm, case.depth))
    write_safetensors(os.path.join(d, "reference.safetensors"), refs)


def check_against_torchvision(case, x):
    """Our composition must agree with torchvision's own forward where torchvision has the case."""
    with torch.no_grad():
        full = case.tv(x)
    got = case.forward(x)["logits"]
    assert torch.allclose(full, got, atol=1e-5), (full - got).abs().max()


def main():
    labels10 = ["class_%d" % i for i in range(10)]

    # (a) tiny: 32x32, patch 8, dim 32, depth 2, heads 2, 10 classes.
    tiny_args = dict(img_size=32, patch_size=8, embed_dim=32, depth=2, num_heads=2)
    tiny = Case(32, 8, 32, 2, 2, 10)
    x = torch.from_numpy(uniform("input", (2, 3, 32, 32)).astype(np.float32))
    check_against_torchvision(tiny, x)
    out = tiny.forward(x)
    write_case("tiny", tiny, config_json("vit_tiny_patch16_224", 10, "token", tiny_args, (3, 32, 32), 0.875, labels10),
               dict(input=x, **out))

    # (b) vit_small width and heads at 224 with 2 blocks; weights and input rebuilt by the Java test.
    small = Case(224, 16, 384, 2, 6, 1000)
    x = torch.from_numpy(uniform("input", (1, 3, 224, 224)).astype(np.float32))
    check_against_torchvision(small, x)
    out = small.forward(x)
    out.pop("block0_normed")
    write_case("small_224", small, config_json("vit_small_patch16_224", 1000, "token", dict(depth=2), (3, 224, 224)),
               out, with_model=False)

    # (c) made at 48x48 (grid 6x6), run at 32x64 (grid 4x8): one axis shrinks (antialias matters), one grows.
    res_args = dict(img_size=48, patch_size=8, embed_dim=32, depth=2, num_heads=2)
    res = Case(48, 8, 32, 2, 2, 10)
    pos = resample_abs_pos_embed(res.timm["pos_embed"], (4, 8), (6, 6), 1)
    x = torch.from_numpy(uniform("input", (2, 3, 32, 64)).astype(np.float32))
    out = res.forward(x, pos_embed=pos)
    out["pos_embed_resampled"] = pos
    write_case("resampled_32x64", res, config_json("vit_tiny_patch16_224", 10, "token", res_args, (3, 48, 48)),
               dict(input=x, **out))

    # (d) global_pool "avg" with fc_norm (timm: norm is Identity, fc_norm after the mean of patch tokens).
    avg_args = dict(img_size=32, patch_size=8, embed_dim=32, depth=2, num_heads=2, global_pool="avg")
    avg = Case(32, 8, 32, 2, 2, 10, pool="avg")
    x = torch.from_numpy(uniform("input", (2, 3, 32, 32)).astype(np.float32))
    out = avg.forward(x)
    write_case("avg_pool", avg, config_json("vit_tiny_patch16_224", 10, "avg", avg_args, (3, 32, 32)),
               dict(input=x, **out))

    # (e) DeiT distilled: cls + dist tokens, head and head_dist averaged at eval.
    deit_args = dict(img_size=32, patch_size=8, embed_dim=32, depth=2, num_heads=2)
    deit = Case(32, 8, 32, 2, 2, 10, distilled=True)
    x = torch.from_numpy(uniform("input", (2, 3, 32, 32)).astype(np.float32))
    out = deit.forward(x)
    write_case("deit_distilled", deit, config_json("deit_tiny_distilled_patch16_224", 10, "token", deit_args, (3, 32, 32)),
               dict(input=x, **out))

    # (g) the same maths under Hugging Face transformers' ViT names and its LayerNorm eps 1e-12.
    hf = Case(32, 8, 32, 2, 2, 10, eps=1e-12)
    x = torch.from_numpy(uniform("input", (2, 3, 32, 32)).astype(np.float32))
    check_against_torchvision(hf, x)
    out = hf.forward(x)
    write_hf_case("hf_vit", hf, dict(input=x, **out))

    # (f) a 96x64 RGB PNG through timm's eval transform for the tiny model (crop_pct 0.875).
    h, w = 64, 96
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    rgb = np.stack([
        255 * xx / (w - 1),
        255 * (0.5 + 0.5 * np.sin(yy / 5.0) * np.cos(xx / 7.0)),
        255 * (((xx - 60) ** 2 + (yy - 30) ** 2) < 15 ** 2),
    ], axis=-1)
    rgb += np.random.default_rng(0).normal(0, 12, rgb.shape)
    png = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    d = os.path.join(ROOT, "png_tiny")
    os.makedirs(d, exist_ok=True)
    png.save(os.path.join(d, "image_96x64.png"))
    size, crop_pct = 32, 0.875
    tf = T.Compose([
        T.Resize(int(math.floor(size / crop_pct)), interpolation=T.InterpolationMode.BICUBIC),
        T.CenterCrop(size),
        T.ToTensor(),
        T.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    x = tf(Image.open(os.path.join(d, "image_96x64.png")).convert("RGB")).unsqueeze(0)
    out = tiny.forward(x)
    write_safetensors(os.path.join(d, "reference.safetensors"),
                      dict(input=x, logits=out["logits"], embedding=out["embedding"]))
    print("fixtures written under", os.path.normpath(ROOT))


if __name__ == "__main__":
    main()
