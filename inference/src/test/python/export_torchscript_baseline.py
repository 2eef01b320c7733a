#!/usr/bin/python3
"""Exports torchvision ViT-Ti/16 and ViT-S/16 as TorchScript files for `./vision bench engine --torchscript DIR`.

    /usr/bin/python3 inference/src/test/python/export_torchscript_baseline.py DIR

Needs Debian's python3-torch (1.13) and python3-torchvision (0.14):
`apt-get install -y python3-torch python3-torchvision`. The files are a speed baseline only: the
benchmark runs them in the same libtorch (DJL's, 2.5.1) as the project's own eager ViT, so the two
columns differ only in how the forward is expressed. The ViT files are never committed and no test
reads them.

torchvision has no ViT-Ti; it is built from `VisionTransformer` with timm's Ti shape (patch 16, width
192, depth 12, 3 heads, MLP 768). Weights are random (torch.manual_seed), as the benchmark's own model.

The module is traced in eval mode with autograd off, which is how torchvision runs at inference:
`nn.MultiheadAttention` then takes its fused native path (`aten::_native_multi_head_attention`), and
that is the graph the trace records. torch 1.13 takes that path only for an even number of heads, so
ViT-S gets it and ViT-Ti (3 heads) records the unfused ops: linear, chunk, bmm, softmax. Files are
named after the timm architecture the benchmark uses for the same shape, e.g.
DIR/vit_tiny_patch16_224.pt, and take [B, 3, 224, 224] for any B, giving [B, 1000] logits.

    /usr/bin/python3 inference/src/test/python/export_torchscript_baseline.py --test-fixtures \
        app/src/test/resources/bench/torchscript

writes the two small stand-in modules (committed) that the bench tests load instead.
"""
import argparse
import os
import sys

import torch
from torchvision.models.vision_transformer import VisionTransformer

# timm architecture name -> (patch, depth, heads, width, mlp width)
SHAPES = {
    "vit_tiny_patch16_224": (16, 12, 3, 192, 768),
    "vit_small_patch16_224": (16, 12, 6, 384, 1536),
}
IMAGE = 224
CLASSES = 1000


def build(arch, seed):
    patch, depth, heads, width, mlp = SHAPES[arch]
    torch.manual_seed(seed)
    # torchvision's default norm_layer is LayerNorm(eps=1e-6), timm's too
    return VisionTransformer(IMAGE, patch, depth, heads, width, mlp, num_classes=CLASSES).eval()


def export(arch, out_dir, seed):
    model = build(arch, seed)
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.randn(2, 3, IMAGE, IMAGE), check_trace=False)
        path = os.path.join(out_dir, arch + ".pt")
        traced.save(path)
        # the batch axis must stay free: check at another batch size against the eager module
        probe = torch.randn(5, 3, IMAGE, IMAGE)
        reloaded = torch.jit.load(path)
        got, want = reloaded(probe), model(probe)
    if tuple(got.shape) != (5, CLASSES):
        sys.exit(f"{path}: output shape {tuple(got.shape)} at batch 5, expected (5, {CLASSES})")
    diff = (got - want).abs().max().item()
    if diff > 1e-4:
        sys.exit(f"{path}: traced module differs from eager torchvision by {diff:.2e}")
    ops = sorted({n.kind() for n in reloaded.inlined_graph.nodes() if n.kind().startswith("aten::")})
    print(f"{path}: {os.path.getsize(path) / 2**20:.1f} MiB, max |traced - eager| {diff:.1e} at batch 5")
    print("  aten ops: " + ", ".join(ops))


class StandIn(torch.nn.Module):
    """A few-KB module with a ViT's interface ([B, 3, H, W] -> [B, classes]) for the Java tests."""

    def __init__(self, classes):
        super().__init__()
        self.head = torch.nn.Linear(3, classes)

    def forward(self, x):
        return self.head(x.mean((2, 3)))


def write_test_fixtures(root):
    """The app's bench tests load these instead of a real ViT: one right, one with the wrong output width."""
    torch.manual_seed(0)
    for case, classes in (("standin", CLASSES), ("wrong-shape", 10)):
        os.makedirs(os.path.join(root, case), exist_ok=True)
        path = os.path.join(root, case, "vit_tiny_patch16_224.pt")
        torch.jit.script(StandIn(classes).eval()).save(path)
        print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="directory to write <arch>.pt into (created if missing)")
    parser.add_argument("--models", default=",".join(SHAPES), help="comma-separated, of: " + ", ".join(SHAPES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--test-fixtures",
        action="store_true",
        help="instead: write the small stand-in modules of app/src/test/resources/bench/torchscript into out_dir",
    )
    args = parser.parse_args()
    if args.test_fixtures:
        write_test_fixtures(args.out_dir)
        return
    archs = [a for a in args.models.split(",") if a]
    unknown = [a for a in archs if a not in SHAPES]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; known: {', '.join(SHAPES)}")
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}")
    for arch in archs:
        export(arch, args.out_dir, args.seed)


if __name__ == "__main__":
    main()
