/**
 * `dropline dag <pipeline.yaml>`: the stage graph as text, Mermaid or Graphviz dot.
 */
import { type CompiledPipeline, UsageError } from "@dropline/engine";
import { parseCommandArgs, PIPELINE_FLAGS } from "./args.ts";
import { type CommandHelp, PIPELINE_FLAG_HELP, renderHelp } from "./command_help.ts";
import { loadPipelineArg } from "./pipeline_args.ts";
import type { Command } from "./commands.ts";

/** The flags `dag` accepts. */
export const DAG_OPTIONS = { ...PIPELINE_FLAGS, format: { type: "string", short: "f" } } as const;

export const DAG_HELP: CommandHelp = {
  usage: "deno task dag <pipeline.yaml> [--format text|mermaid|dot] [--set params.K=V]...",
  about:
    "The stage graph after matrix expansion: as indented text, a Mermaid flowchart or Graphviz dot.",
  flags: [["--format F, -f F", "text (default), mermaid or dot"], ...PIPELINE_FLAG_HELP],
  examples: [
    "deno task dag pipelines/demo.yaml",
    "deno task dag pipelines/rotated_mnist.yaml --format dot | dot -Tsvg > dag.svg",
  ],
};

export const DAG_USAGE = `Usage: ${DAG_HELP.usage}`;
const FORMATS = ["text", "mermaid", "dot"] as const;

/** Prints the graph; returns the exit code. */
export async function dagCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, DAG_OPTIONS, "dag");
  if (values.help) return (console.log(renderHelp(DAG_HELP)), 0);
  if (positionals.length !== 1) {
    throw new UsageError(`dag: expected one pipeline file\n${DAG_USAGE}`);
  }
  const format = values.format ?? "text";
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`dag: --format expects one of ${FORMATS.join(", ")}, got "${format}"`);
  }
  const pipeline = await loadPipelineArg(positionals[0]!, values);
  console.log(renderDag(pipeline, format as typeof FORMATS[number]));
  return 0;
}

/**
 * Renders the graph. Pure.
 *
 * @example
 * ```ts
 * renderDag(pipeline, "mermaid"); // "flowchart TD\n  n0[\"make\"]\n ..."
 * ```
 */
export function renderDag(pipeline: CompiledPipeline, format: "text" | "mermaid" | "dot"): string {
  const index = new Map(pipeline.stages.map((s, i) => [s.id, `n${i}`]));
  const edges = pipeline.stages.flatMap((s) =>
    s.upstream.map((up) => [index.get(up)!, index.get(s.id)!] as const)
  );
  if (format === "text") {
    return pipeline.stages.map((s) =>
      s.upstream.length ? `${s.id} <- ${s.upstream.join(", ")}` : s.id
    ).join("\n");
  }
  const groups = Map.groupBy(pipeline.stages, (s) => s.name);
  const quote = (text: string) => JSON.stringify(text);
  if (format === "mermaid") {
    const lines = ["flowchart TD"];
    for (const [name, stages] of groups) {
      const nodes = stages.map((s) => `${index.get(s.id)}["${s.id.replaceAll('"', "#quot;")}"]`);
      if (stages.length > 1) {
        lines.push(
          `  subgraph ${quote(name)}`,
          ...nodes.map((n) => `    ${n}`),
          "  end",
        );
      } else lines.push(`  ${nodes[0]}`);
    }
    lines.push(...edges.map(([a, b]) => `  ${a} --> ${b}`));
    return lines.join("\n");
  }
  const lines = [`digraph ${quote(pipeline.name)} {`, "  rankdir=TB;", "  node [shape=box];"];
  for (const [name, stages] of groups) {
    const nodes = stages.map((s) => `${index.get(s.id)} [label=${quote(s.id)}];`);
    if (stages.length > 1) {
      lines.push(
        `  subgraph ${quote(`cluster_${name}`)} {`,
        `    label=${quote(name)};`,
        ...nodes.map((n) => `    ${n}`),
        "  }",
      );
    } else lines.push(`  ${nodes[0]}`);
  }
  lines.push(...edges.map(([a, b]) => `  ${a} -> ${b};`), "}");
  return lines.join("\n");
}

/** The command as `commands.ts` loads it. */
export const COMMAND: Command = { run: dagCommand, options: DAG_OPTIONS, help: DAG_HELP };
