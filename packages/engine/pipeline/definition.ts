/**
 * The pipeline definition: the shape of the YAML document, checked before
 * anything is expanded. Unknown keys get a "did you mean" hint. A problem in
 * one place does not hide the others: a stage whose shape is wrong is kept,
 * marked `broken`, so references to it resolve and later checks still run.
 */
import { didYouMean } from "../util/suggest.ts";
import type { Problem } from "./problem.ts";
import type { PipelineSource, ValuePath } from "./source.ts";

/** A stage as written in YAML, before template expansion. */
export interface StageDefinition {
  name: string;
  task: string;
  with: Record<string, unknown>;
  needs: string[];
  /** Matrix axes in key order; a value may still be a `${{ params.x }}` string. */
  matrix?: Record<string, unknown>;
  exclude: Record<string, unknown>[];
  include: Record<string, unknown>[];
  description?: string;
  /** The stage's `resources` map, values not yet rendered. */
  resources?: Record<string, unknown>;
  /** True when its shape has problems: it is checked as far as possible but never compiled. */
  broken?: boolean;
}

/** Where stages run: in this process's machine, or as Slurm jobs. */
export type ExecutorName = "local" | "slurm";

/** The executors a pipeline or `--executor` may name. */
export const EXECUTOR_NAMES: readonly ExecutorName[] = ["local", "slurm"];

/** A pipeline as written in YAML. */
export interface PipelineDefinition {
  name: string;
  description?: string;
  params: Record<string, unknown>;
  stages: StageDefinition[];
  executor?: ExecutorName;
  /** Default resources of every stage, values not yet rendered. */
  resources?: Record<string, unknown>;
}

const TOP_LEVEL_KEYS = ["name", "description", "executor", "params", "resources", "stages"];
const STAGE_KEYS = [
  "task",
  "with",
  "needs",
  "matrix",
  "exclude",
  "include",
  "resources",
  "description",
];
const STAGE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Checks the document's shape and returns the typed definition (whenever the
 * document is a map) with every problem found.
 *
 * @example
 * ```ts
 * const { definition } = readDefinition(parsePipelineSource("p.yaml", text));
 * ```
 */
export function readDefinition(
  source: PipelineSource,
): { definition?: PipelineDefinition; problems: Problem[] } {
  const problems: Problem[] = [];
  const problem = (path: ValuePath, message: string, stage?: string, atKey = false) => {
    const at = atKey ? source.locateKey(path) : source.locate(path);
    const field = stage === undefined ? path.join(".") : path.slice(2).join(".") || undefined;
    problems.push({
      at,
      message,
      ...(stage === undefined ? {} : { stage }),
      ...(field ? { field } : {}),
    });
  };
  const doc = source.value;
  if (!isRecord(doc)) {
    problem([], "Expected a map with `name` and `stages`");
    return { problems };
  }
  for (const key of unknownKeys(doc, TOP_LEVEL_KEYS)) {
    problem([key], unknownKeyMessage(key, TOP_LEVEL_KEYS), undefined, true);
  }
  if (typeof doc.name !== "string" || doc.name === "") {
    problem(["name"], "Expected a non-empty string `name`");
  }
  if (doc.description !== undefined && typeof doc.description !== "string") {
    problem(["description"], "Expected a string");
  }
  const params = doc.params ?? {};
  if (!isRecord(params)) problem(["params"], "Expected a map of parameters");
  if (doc.executor !== undefined && !EXECUTOR_NAMES.includes(doc.executor as ExecutorName)) {
    problem(
      ["executor"],
      `Unknown executor ${JSON.stringify(doc.executor)}${
        typeof doc.executor === "string" ? didYouMean(doc.executor, EXECUTOR_NAMES) : ""
      }; expected one of ${EXECUTOR_NAMES.join(", ")}`,
    );
  }
  if (doc.resources !== undefined && !isRecord(doc.resources)) {
    problem(["resources"], "Expected a map of default resources (cpus, mem, time, ...)");
  }
  const stages: StageDefinition[] = [];
  if (!isRecord(doc.stages) || Object.keys(doc.stages).length === 0) {
    problem(["stages"], "Expected a non-empty map of stages");
  } else {
    for (const [name, raw] of Object.entries(doc.stages)) {
      stages.push(readStage(name, raw, problem));
    }
  }
  const definition: PipelineDefinition = {
    name: typeof doc.name === "string" ? doc.name : "",
    params: isRecord(params) ? params : {},
    stages,
    ...(typeof doc.description === "string" ? { description: doc.description } : {}),
    ...(doc.executor === undefined ? {} : { executor: doc.executor as ExecutorName }),
    ...(isRecord(doc.resources) ? { resources: doc.resources } : {}),
  };
  return { definition, problems };
}

type Report = (path: ValuePath, message: string, stage?: string, atKey?: boolean) => void;

function readStage(name: string, raw: unknown, problem: Report): StageDefinition {
  const at = (...rest: (string | number)[]) => ["stages", name, ...rest];
  let ok = true;
  const fail: Report = (...args) => {
    ok = false;
    problem(...args);
  };
  if (!STAGE_NAME.test(name)) {
    fail(at(), `Invalid stage name "${name}": use letters, digits, "_" and "-"`, name, true);
  }
  if (!isRecord(raw)) {
    problem(at(), "Expected a map with at least `task`", name);
    return { name, task: "", with: {}, needs: [], exclude: [], include: [], broken: true };
  }
  // An unknown key is ignored after being reported: the rest of the stage is still checked.
  for (const key of unknownKeys(raw, STAGE_KEYS)) {
    problem(at(key), unknownKeyMessage(key, STAGE_KEYS), name, true);
  }
  if (typeof raw.task !== "string" || raw.task === "") {
    fail(at("task"), "Expected a task name", name);
  }
  const withValue = raw.with ?? {};
  if (!isRecord(withValue)) fail(at("with"), "Expected a map of task parameters", name);
  const needs = typeof raw.needs === "string" ? [raw.needs] : raw.needs ?? [];
  if (!Array.isArray(needs) || !needs.every((n) => typeof n === "string")) {
    fail(at("needs"), "Expected a list of stage names", name);
  }
  if (raw.resources !== undefined && !isRecord(raw.resources)) {
    fail(at("resources"), "Expected a map of resources (cpus, mem, time, ...)", name);
  }
  if (raw.matrix !== undefined && !isRecord(raw.matrix)) {
    fail(at("matrix"), "Expected a map of axes to lists of values", name);
  }
  const exclude = readCombinations(raw.exclude, at("exclude"), name, fail);
  const include = readCombinations(raw.include, at("include"), name, fail);
  if (raw.matrix === undefined && (exclude.length || include.length)) {
    fail(at(raw.exclude ? "exclude" : "include"), "`exclude` and `include` need a `matrix`", name);
  }
  return {
    name,
    task: typeof raw.task === "string" ? raw.task : "",
    with: isRecord(withValue) ? withValue : {},
    needs: Array.isArray(needs) ? needs.filter((n): n is string => typeof n === "string") : [],
    exclude,
    include,
    ...(isRecord(raw.matrix) ? { matrix: raw.matrix } : {}),
    ...(typeof raw.description === "string" ? { description: raw.description } : {}),
    ...(isRecord(raw.resources) ? { resources: raw.resources } : {}),
    ...(ok ? {} : { broken: true }),
  };
}

function readCombinations(
  value: unknown,
  path: ValuePath,
  stage: string,
  fail: Report,
): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isRecord)) {
    fail(path, "Expected a list of maps of matrix values", stage);
    return [];
  }
  return value;
}

function unknownKeys(map: Record<string, unknown>, known: readonly string[]): string[] {
  return Object.keys(map).filter((key) => !known.includes(key));
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  return `Unknown key "${key}"${didYouMean(key, known)}; expected one of ${known.join(", ")}`;
}

/** True for a plain (non-array) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
