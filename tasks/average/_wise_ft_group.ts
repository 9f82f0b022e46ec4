/**
 * WiSE-FT (Wortsman et al.) as the fine-tuning-with-a-new-head setting needs
 * it: theta(alpha) = (1 - alpha) theta_LP + alpha theta_FT, where theta_LP is
 * the pre-trained network with a linear-probe head - a linear head trained
 * on the backbone's frozen features (WiSE-FT's zero-shot/LP endpoint), never
 * the random head a run starts from, which scores at chance.
 *
 * Per group: the linear probe for the group's test domains is chosen among
 * the given runs by training-domain validation of its network; then, for
 * every fine-tuned run, each alpha is scored on validation and the best kept
 * (ties go to the larger alpha, see `selectAlpha`). One output per run, with
 * the run's parameters, so reports select among runs as they do for
 * fine-tuning; the scores of every alpha are recorded beside it.
 */
import {
  architectureOf,
  compareValidation,
  type ModelMeta,
  selectAlpha,
  type ValidationScore,
  type Weights,
  wiseFt,
} from "@dropline/ml";
import { type LoadedRun, loadRun } from "../_shared/run_dir.ts";
import type { GroupContext, GroupOutput } from "./_group_context.ts";

const HEAD = ["logits/kernel", "logits/bias"];

export async function wiseFtOutputs(
  g: GroupContext,
  probes: LoadedRun[],
  alphas: number[],
): Promise<GroupOutput[]> {
  const startOf = async (run: LoadedRun): Promise<Weights> =>
    g.base.kind === "network" ? (await loadRun(run.dir, "initial")).weights : run.weights;
  const probe = await chooseProbe(g, probes, await startOf(g.runs[0]!));
  const outputs: GroupOutput[] = [];
  for (const [k, run] of [...g.runs].sort((a, b) => a.dir < b.dir ? -1 : 1).entries()) {
    const endpoint = withProbeHead(await startOf(run), probe, run);
    const scores: { alpha: number; score: ValidationScore }[] = [];
    for (const alpha of alphas) {
      scores.push({
        alpha,
        score: await g.score({ json: run.json, weights: wiseFt(endpoint, run.weights, alpha) }),
      });
    }
    const alpha = selectAlpha(scores);
    const { checkpoint: _c, step: _s, ...params } = run.meta.params;
    const meta: ModelMeta = {
      ...g.base,
      method: "wise_ft",
      params: { ...params, alpha, run: run.dir, linear_probe: probe.dir },
    };
    outputs.push(
      await g.save({
        method: "wise_ft",
        path: `wise_ft/${k}`,
        weights: wiseFt(endpoint, run.weights, alpha),
        meta,
        selection: {
          rule: "validation accuracy, then cross-entropy, then the larger alpha",
          linear_probe: probe.dir,
          alphas: scores.map((s) => ({ alpha: s.alpha, ...s.score })),
        },
      }),
    );
  }
  return outputs;
}

/** The group's linear probe: among runs with its test domains, best on validation as a network. */
async function chooseProbe(
  g: GroupContext,
  probes: LoadedRun[],
  start: Weights,
): Promise<LoadedRun> {
  const domains = g.base.testDomains.join("+");
  const mine = probes.filter((p) => p.meta.testDomains.join("+") === domains)
    .sort((a, b) => a.dir < b.dir ? -1 : 1);
  if (mine.length === 0) {
    throw new TypeError(
      `No linear_probe run has test domains "${g.base.testDomains.join(", ")}" ` +
        `(given: ${probes.map((p) => `"${p.meta.testDomains.join(", ")}"`).join(", ") || "none"})`,
    );
  }
  const scored: { probe: LoadedRun; score: ValidationScore }[] = [];
  for (const probe of mine) {
    const weights = withProbeHead(start, probe, g.runs[0]!);
    scored.push({ probe, score: await g.score({ json: g.runs[0]!.json, weights }) });
  }
  // Stable sort over directory order: full ties go to the directory that sorts first.
  scored.sort((a, b) => compareValidation(a.score, b.score));
  return scored[0]!.probe;
}

/** `start` with the probe's head in place of its own, after checking the two fit together. */
export function withProbeHead(start: Weights, probe: LoadedRun, run: LoadedRun): Weights {
  const where = `linear probe "${probe.dir}" and run "${run.dir}"`;
  if (
    probe.meta.kind !== "head" ||
    architectureOf(probe.weights) !== architectureOf(headOf(start, run.dir))
  ) {
    throw new TypeError(
      `Cannot use ${where}: the probe must be a linear head like the run's ` +
        `("${architectureOf(probe.weights)}" vs "${architectureOf(headOf(start, run.dir))}")`,
    );
  }
  for (const field of ["classes", "domains"] as const) {
    if (probe.meta[field].join("\n") !== run.meta[field].join("\n")) {
      throw new TypeError(`Cannot use ${where}: different ${field}`);
    }
  }
  const [a, b] = [probe.meta.input ?? {}, run.meta.input ?? {}];
  for (const field of ["source", "layer"]) {
    if (a[field] !== undefined && b[field] !== undefined && a[field] !== b[field]) {
      throw new TypeError(
        `Cannot use ${where}: the probe's features come from ${field} "${a[field]}", ` +
          `the network's representation from "${b[field]}"`,
      );
    }
  }
  const head = new Map(probe.weights.map((w) => [w.name, w]));
  return start.map((w) => (HEAD.includes(w.name) ? { ...w, values: head.get(w.name)!.values } : w));
}

function headOf(weights: Weights, where: string): Weights {
  const head = weights.filter((w) => HEAD.includes(w.name));
  if (head.length !== HEAD.length) {
    throw new TypeError(`Model "${where}" has no linear head named "logits"`);
  }
  return HEAD.map((name) => head.find((w) => w.name === name)!);
}
