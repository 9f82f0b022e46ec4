/**
 * Limits on what a pipeline file may make the engine allocate, so a mistake
 * or a hostile file fails at once with a message instead of eating memory.
 * Each has a default and an environment variable that overrides it.
 */
import { UsageError } from "../util/usage_error.ts";

/** The pipeline limits in force. */
export interface PipelineLimits {
  /** Expansions of one matrix stage. */
  stageExpansions: number;
  /** Expanded stages of the whole pipeline. */
  pipelineExpansions: number;
  /** Upstream edges summed over all expanded stages (a matrix reading a matrix multiplies). */
  pipelineEdges: number;
  /** Nodes of the YAML document once its aliases are expanded. */
  yamlNodes: number;
}

/** The defaults: ample for sweeps of tens of thousands of stages. */
export const DEFAULT_LIMITS: Readonly<PipelineLimits> = {
  stageExpansions: 50_000,
  pipelineExpansions: 100_000,
  pipelineEdges: 2_000_000,
  yamlNodes: 1_000_000,
};

/** The environment variable overriding each limit. */
export const LIMIT_VARIABLES: Readonly<Record<keyof PipelineLimits, string>> = {
  stageExpansions: "DROPLINE_MAX_STAGE_EXPANSIONS",
  pipelineExpansions: "DROPLINE_MAX_PIPELINE_EXPANSIONS",
  pipelineEdges: "DROPLINE_MAX_PIPELINE_EDGES",
  yamlNodes: "DROPLINE_MAX_YAML_NODES",
};

/**
 * The limits, with the environment's overrides; a malformed value is a {@link UsageError}.
 *
 * @example
 * ```ts
 * limitsFromEnv({ DROPLINE_MAX_STAGE_EXPANSIONS: "200000" }).stageExpansions; // 200000
 * ```
 */
export function limitsFromEnv(
  env: Readonly<Record<string, string | undefined>> = Deno.env.toObject(),
): PipelineLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [name, variable] of Object.entries(LIMIT_VARIABLES)) {
    const text = env[variable];
    if (text === undefined || text === "") continue;
    limits[name as keyof PipelineLimits] = positiveLimit(variable, text);
  }
  return limits;
}

/**
 * A limit's value from its variable's text: a positive integer (`_` allowed as a separator).
 *
 * @example
 * ```ts
 * positiveLimit("DROPLINE_MAX_YAML_NODES", "2_000_000"); // 2000000
 * ```
 */
export function positiveLimit(variable: string, text: string): number {
  const value = Number(text.replaceAll("_", ""));
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${variable} must be a positive integer, got "${text}"`);
  }
  return value;
}

/** "50,000": limits and counts as people read them. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
