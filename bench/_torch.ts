/**
 * PyTorch's figures for `deno task bench tensors`, from the reference scripts in
 * `shared/bench/` (`torch_resnet.py`, `torch_mnist_cnn.py`) run with Debian's
 * `/usr/bin/python3` right after each of ours, so both sides share the same
 * minutes of a shared machine. PyTorch is only a yardstick: without it the
 * figures simply have no `torch` part.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PYTHON = "/usr/bin/python3";

/** How to get PyTorch's figure for one of our keys. */
export interface TorchCase {
  script: "torch_resnet.py" | "torch_mnist_cnn.py";
  args: string[];
  /** Which field of the script's JSON is the rate. */
  rate: string;
}

/** PyTorch's counterpart of each key that has one (same network, input size and batch). */
export const TORCH_CASES: Record<string, TorchCase> = {
  mnist_cnn_train: { script: "torch_mnist_cnn.py", args: [], rate: "train_examples_per_s" },
  resnet18_train_112: {
    script: "torch_resnet.py",
    args: ["resnet18", "112", "32", "train"],
    rate: "examples_per_s",
  },
  resnet18_infer_112: {
    script: "torch_resnet.py",
    args: ["resnet18", "112", "32", "infer"],
    rate: "examples_per_s",
  },
  resnet50_train_224: {
    script: "torch_resnet.py",
    args: ["resnet50", "224", "32", "train"],
    rate: "examples_per_s",
  },
  resnet50_infer_224: {
    script: "torch_resnet.py",
    args: ["resnet50", "224", "32", "infer"],
    rate: "examples_per_s",
  },
  // The paper's step: 32 images from each of 3 training domains in one batch.
  resnet50_train_224_3x32: {
    script: "torch_resnet.py",
    args: ["resnet50", "224", "96", "train"],
    rate: "examples_per_s",
  },
};

let scripts: string | null | undefined;

/** The folder holding the reference scripts (`shared/bench` beside the checkout), or null. */
export function torchScripts(): string | null {
  if (scripts !== undefined) return scripts;
  scripts = Deno.env.get("DROPLINE_TORCH_BENCH") ?? null;
  if (scripts) return scripts;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++, dir = dirname(dir)) {
    try {
      Deno.statSync(join(dir, "shared", "bench", "torch_resnet.py"));
      return scripts = join(dir, "shared", "bench");
    } catch {
      // Look one level higher.
    }
  }
  return scripts;
}

let available: boolean | undefined;

/** Whether `/usr/bin/python3` imports torch and torchvision (checked once). */
export function torchAvailable(): boolean {
  if (available !== undefined) return available;
  try {
    const probe = new Deno.Command(PYTHON, {
      args: ["-c", "import torch, torchvision"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    available = probe.success && torchScripts() !== null;
  } catch {
    available = false;
  }
  return available;
}

/** Runs PyTorch's counterpart of `key`: its rate, peak RSS when the script reports it, or why not. */
export async function torchFigures(key: string): Promise<Record<string, unknown> | undefined> {
  const c = TORCH_CASES[key];
  if (!c || !torchAvailable()) return undefined;
  const out = await new Deno.Command(PYTHON, {
    args: [join(torchScripts()!, c.script), ...c.args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").pop();
    return { error: why ?? `exit code ${out.code}` };
  }
  const json = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return {
    examples_per_s: json[c.rate],
    ...(json.peak_rss_mb ? { peak_rss_mb: json.peak_rss_mb } : {}),
    command: [c.script, ...c.args].join(" "),
  };
}
