#!/usr/bin/python3
"""Offline stand-ins for the inputs of pipelines/pacs.yaml, to time its reduced (laptop) run.

WHAT: a PACS-sized archive (9,991 JPEG images of 227x227, DomainBed's layout kfold/<domain>/<class>/,
PACS's per-domain counts, 7 classes) of synthetic images, and torchvision's ResNet-18 with random
weights as model.safetensors (torchvision tensor names, F32). Neither is PACS nor ImageNet weights:
the point is the cost of the pipeline (decoding, features, fine-tuning, averaging), which depends on
the image count, the image size and the network, not on the pixels.

HOW: /usr/bin/python3 bench/pacs_reduced_inputs.py OUT_DIR   (Debian's python3-torch/torchvision;
no network), then run the reduced --set line of pipelines/pacs.yaml with
--set params.pacs_url=OUT_DIR/PACS.zip --set params.backbone_url=OUT_DIR/resnet18.safetensors.
"""
import io
import json
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image

COUNTS = {"art_painting": 2048, "cartoon": 2344, "photo": 1670, "sketch": 3929}
CLASSES = ["dog", "elephant", "giraffe", "guitar", "horse", "house", "person"]


def write_safetensors(path, state):
    header, blobs, offset = {}, [], 0
    for name in sorted(state):
        if name.endswith("num_batches_tracked"):
            continue
        data = state[name].detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(state[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt", "note": "random weights, for timing only"}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    write_safetensors(out / "resnet18.safetensors", torchvision.models.resnet18().state_dict())
    rng = np.random.RandomState(0)
    with zipfile.ZipFile(out / "PACS.zip", "w", zipfile.ZIP_STORED) as z:
        for d, (domain, count) in enumerate(COUNTS.items()):
            for i in range(count):
                c = i % len(CLASSES)
                base = rng.randint(0, 256, size=(1, 1, 3))
                noise = rng.randint(-40, 40, size=(227, 227, 3))
                pixels = np.clip(base + noise + 20 * c, 0, 255).astype(np.uint8)
                buf = io.BytesIO()
                Image.fromarray(pixels).save(buf, "JPEG", quality=85)
                z.writestr(f"kfold/{domain}/{CLASSES[c]}/{i:05d}.jpg", buf.getvalue())
    print(out / "PACS.zip", out / "resnet18.safetensors")


if __name__ == "__main__":
    main()
