/**
 * Ctrl-C's side of the Slurm executor: cancels the run's jobs with `scancel`,
 * tries again while the controller does not answer, and, once the run stops
 * waiting, says which jobs it could not cancel so that the user can.
 */
import type { SlurmClient } from "./slurm_client.ts";

/** The jobs an interrupted run asked Slurm to cancel, and how that went. */
export class JobCancellation {
  #client: SlurmClient;
  #note: (message: string) => void;
  /** scancel accepted these. */
  #done = new Set<string>();
  /** scancel failed for these: tried again on every poll. */
  #failed = new Set<string>();
  #error: string | undefined;

  constructor(client: SlurmClient, note: (message: string) => void) {
    this.#client = client;
    this.#note = note;
  }

  /** Cancels the jobs of `ids` not cancelled yet. */
  async cancel(ids: readonly string[]): Promise<void> {
    const fresh = ids.filter((id) => !this.#done.has(id) && !this.#failed.has(id));
    if (fresh.length === 0) return;
    this.#note(`cancelling Slurm jobs ${fresh.join(", ")}`);
    await this.#scancel(fresh);
  }

  /** Tries again to cancel the jobs scancel failed for. */
  async retry(): Promise<void> {
    if (this.#failed.size > 0) await this.#scancel([...this.#failed]);
  }

  /**
   * What to tell the user about jobs the run stops waiting for: those it
   * could not cancel (with the command to do it later) and those cancelled
   * but not seen ending.
   */
  abandoned(ids: readonly string[], waitedMs: number): string[] {
    const uncancelled = ids.filter((id) => !this.#done.has(id));
    const unended = ids.filter((id) => this.#done.has(id));
    const seconds = Math.round(waitedMs / 1000);
    const messages: string[] = [];
    if (uncancelled.length > 0) {
      messages.push(
        `Could not cancel Slurm jobs ${uncancelled.join(", ")} within ${seconds} s of the ` +
          `interrupt (${this.#error ?? "scancel did not answer"}): they may still be queued or ` +
          `running. Cancel them with \`scancel ${uncancelled.join(" ")}\` once the controller ` +
          `answers (a plain re-run follows them instead of submitting their stages again)`,
      );
    }
    if (unended.length > 0) {
      messages.push(
        `Slurm jobs ${unended.join(", ")} were cancelled but not seen ending within ${seconds} s ` +
          `of the interrupt: check them with \`squeue -j ${unended.join(",")}\``,
      );
    }
    return messages;
  }

  async #scancel(ids: readonly string[]): Promise<void> {
    try {
      await this.#client.scancel(ids);
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.#error) {
        this.#note(`Cannot cancel Slurm jobs ${ids.join(", ")}, retrying: ${message}`);
      }
      this.#error = message;
      ids.forEach((id) => this.#failed.add(id));
      return;
    }
    for (const id of ids) {
      this.#done.add(id);
      this.#failed.delete(id);
    }
  }
}
