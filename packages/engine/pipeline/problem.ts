/**
 * User errors in a pipeline, located in its YAML source. A pipeline with
 * problems never starts a stage; the CLI prints every problem and exits 2.
 */

/** A position in a source file (1-based). */
export interface SourcePosition {
  line: number;
  col: number;
}

/** One thing wrong with a pipeline. */
export interface Problem {
  /** Where: `file:line:col` when known. */
  at?: SourcePosition;
  /** The (expanded) stage id it concerns. */
  stage?: string;
  /** The dotted field path within the stage or pipeline, e.g. `with.lr`. */
  field?: string;
  /** What is wrong and what is expected. */
  message: string;
}

/** Thrown when a pipeline cannot run; carries every problem found. */
export class PipelineError extends Error {
  override name = "PipelineError";
  readonly file: string;
  readonly problems: Problem[];

  constructor(file: string, problems: Problem[]) {
    super(problems.map((p) => formatProblem(file, p)).join("\n"));
    this.file = file;
    this.problems = problems;
  }
}

/**
 * Renders a problem as one line a user can jump to.
 *
 * @example
 * ```ts
 * formatProblem("p.yaml", { at: { line: 3, col: 5 }, stage: "train", field: "with.lr", message: "expected number" });
 * // 'p.yaml:3:5: stage "train", field "with.lr": expected number'
 * ```
 */
export function formatProblem(file: string, problem: Problem): string {
  const where = problem.at ? `${file}:${problem.at.line}:${problem.at.col}` : file;
  const subject = [
    problem.stage === undefined ? undefined : `stage "${problem.stage}"`,
    problem.field === undefined ? undefined : `field "${problem.field}"`,
  ].filter((s) => s !== undefined).join(", ");
  return subject ? `${where}: ${subject}: ${problem.message}` : `${where}: ${problem.message}`;
}
