#!/usr/bin/python3
"""Writes the preprocessing/decoding fixtures the Java tests compare against.

Run by hand, never in CI, with Debian's interpreter (it has PIL, numpy, torch, torchvision):

    /usr/bin/python3 inference/src/test/python/make_preprocess_fixtures.py

Reference: PIL decodes (ImageOps.exif_transpose, convert('RGB')), torchvision's Resize, CenterCrop,
ToTensor and Normalize do the eval transform. The only logic written here is timm's choice of resize
for a non-square input size (ResizeKeepRatio with its default bilinear filter), transcribed from
timm.data.transforms_factory.transforms_imagenet_eval because timm is not installable here (no PyPI).

Output, under inference/src/test/resources/preprocess/:
  <image file>               the encoded test images
  <image>.rgb.bin            PIL's decoded RGB, uint8 HWC
  <image>.<case>.bin         expected tensor, float32 little-endian, CHW
  manifest.json              what each file is (sizes, configs, shapes)
"""
import io
import json
import math
import os
import struct
import zlib

import numpy as np
import torch
from PIL import Image, ImageOps
from torchvision import transforms
from torchvision.transforms import InterpolationMode

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "preprocess")
RNG = np.random.default_rng(20261121)

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
HALF = [0.5, 0.5, 0.5]

INTERP = {
    "bicubic": InterpolationMode.BICUBIC,
    "bilinear": InterpolationMode.BILINEAR,
    "nearest": InterpolationMode.NEAREST,
}


def scene(w, h):
    """Smooth gradients, hard edges and noise: exercises both the filters and the uint8 rounding."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / w * 6.0) * np.cos(y / h * 3.0)
    g = 255 * x / max(w - 1, 1)
    b = 255 * y / max(h - 1, 1)
    img = np.stack([r, g, b], axis=-1)
    img[(x - w * 0.6) ** 2 + (y - h * 0.4) ** 2 < (min(w, h) * 0.2) ** 2] = [250, 20, 30]
    img[int(h * 0.7):int(h * 0.85), int(w * 0.1):int(w * 0.4)] = [10, 10, 240]
    img[:, ::7] = img[:, ::7] * 0.5
    img += RNG.normal(0, 12, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def png16_rgb(w, h):
    """A 16-bit RGB PNG written by hand (PIL cannot write one); samples chosen so low bytes differ."""
    data = (RNG.integers(0, 65536, size=(h, w, 3))).astype(">u2")
    raw = b"".join(b"\x00" + data[yy].tobytes() for yy in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def make_images():
    images = {}

    def save(name, img, **kw):
        buf = io.BytesIO()
        img.save(buf, **kw)
        images[name] = buf.getvalue()

    save("rgb_96x64.jpg", Image.fromarray(scene(96, 64)), format="JPEG", quality=90)
    save("rgb_80x60.png", Image.fromarray(scene(80, 60)), format="PNG")
    rgba = np.dstack([scene(72, 54), RNG.integers(0, 256, size=(54, 72), dtype=np.uint8)])
    save("rgba_72x54.png", Image.fromarray(rgba, "RGBA"), format="PNG")
    save("gray_64x48.png", Image.fromarray(scene(64, 48)).convert("L"), format="PNG")
    la = np.dstack([np.asarray(Image.fromarray(scene(60, 64)).convert("L")), RNG.integers(0, 256, size=(64, 60), dtype=np.uint8)])
    save("graya_60x64.png", Image.fromarray(la, "LA"), format="PNG")
    pal = Image.fromarray(scene(70, 50)).quantize(colors=32)
    save("palette_70x50.png", pal, format="PNG", transparency=3)
    images["rgb16_40x30.png"] = png16_rgb(40, 30)
    for orientation in (6, 3):
        exif = Image.Exif()
        exif[0x0112] = orientation
        save(f"exif{orientation}_90x60.jpg", Image.fromarray(scene(90, 60)), format="JPEG", quality=92, exif=exif.tobytes())
    save("rgb_120x90.jpg", Image.fromarray(scene(120, 90)), format="JPEG", quality=85)
    # Every orientation on one small non-square image; odd values carry a big-endian ("MM") TIFF header.
    small = Image.fromarray(scene(30, 20))
    for orientation in range(1, 9):
        exif = tiff_orientation(orientation, big_endian=orientation % 2 == 1)
        save(f"orient{orientation}_30x20.jpg", small, format="JPEG", quality=95, exif=b"Exif\x00\x00" + exif)
    return images


def tiff_orientation(value, big_endian):
    """A minimal TIFF structure: header, IFD0 with the single tag 0x0112 (SHORT), no next IFD."""
    e = ">" if big_endian else "<"
    order = b"MM" if big_endian else b"II"
    entry = struct.pack(e + "HHI", 0x0112, 3, 1) + struct.pack(e + "H", value) + b"\x00\x00"
    return order + struct.pack(e + "HI", 42, 8) + struct.pack(e + "H", 1) + entry + struct.pack(e + "I", 0)


def timm_eval(height, width, crop_pct, interpolation, mean, std):
    """timm transforms_imagenet_eval (crop_mode 'center') built from torchvision transforms."""
    scale = (math.floor(height / crop_pct), math.floor(width / crop_pct))
    if scale[0] == scale[1]:
        resize = transforms.Resize(scale[0], interpolation=INTERP[interpolation])
    else:
        # timm ResizeKeepRatio(scale_size): longest=0, interpolation left at its default 'bilinear'.
        def resize(img, target=scale):
            h, w = img.size[::-1]
            ratio = min(h / target[0], w / target[1])
            size = [round(h / ratio), round(w / ratio)]
            return transforms.functional.resize(img, size, InterpolationMode.BILINEAR)
    return transforms.Compose([
        resize,
        transforms.CenterCrop((height, width)),
        transforms.ToTensor(),
        transforms.Normalize(mean=torch.tensor(mean), std=torch.tensor(std)),
    ])


CASES = {
    "sq32_bicubic": dict(height=32, width=32, crop_pct=0.875, interpolation="bicubic", mean=IMAGENET_MEAN, std=IMAGENET_STD),
    "sq32_bilinear": dict(height=32, width=32, crop_pct=0.875, interpolation="bilinear", mean=IMAGENET_MEAN, std=IMAGENET_STD),
    "rect24x40_bicubic": dict(height=24, width=40, crop_pct=0.95, interpolation="bicubic", mean=HALF, std=HALF),
    "sq64_bicubic_up": dict(height=64, width=64, crop_pct=0.875, interpolation="bicubic", mean=IMAGENET_MEAN, std=IMAGENET_STD),
    "sq40_nearest": dict(height=40, width=40, crop_pct=0.9, interpolation="nearest", mean=IMAGENET_MEAN, std=IMAGENET_STD),
    "noresize_48": dict(height=48, width=48, crop_pct=1.0, interpolation="bicubic", mean=HALF, std=HALF),
    "pad_56": dict(height=56, width=56, crop_pct=1.25, interpolation="bilinear", mean=IMAGENET_MEAN, std=IMAGENET_STD),
}

# Which cases each image gets (all images get the two 32x32 ones and the non-square one).
EXTRA = {
    "rgb_80x60.png": ["sq64_bicubic_up", "sq40_nearest", "pad_56"],
    "gray_64x48.png": ["noresize_48"],
    "rgb_96x64.jpg": ["noresize_48"],
    "palette_70x50.png": ["sq64_bicubic_up"],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {"images": [], "cases": CASES, "tensors": []}
    for name, data in make_images().items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        img = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
        rgb = np.asarray(img, dtype=np.uint8)
        with open(os.path.join(OUT, name + ".rgb.bin"), "wb") as f:
            f.write(rgb.tobytes())
        manifest["images"].append({"file": name, "width": img.size[0], "height": img.size[1]})
        cases = [] if name.startswith("orient") else ["sq32_bicubic", "sq32_bilinear", "rect24x40_bicubic"]
        for case in cases + EXTRA.get(name, []):
            tensor = timm_eval(**CASES[case])(img).numpy().astype("<f4")
            out = f"{name}.{case}.bin"
            with open(os.path.join(OUT, out), "wb") as f:
                f.write(tensor.tobytes())
            manifest["tensors"].append({"image": name, "case": case, "file": out, "shape": list(tensor.shape)})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
