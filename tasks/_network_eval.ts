/** Scoring networks on a data set with TF.js (placeholder until written). */
import type { EvalData } from "./_eval_data.ts";

export function openNetworkEvalData(_dataset: string, _backend?: string): Promise<EvalData> {
  return Promise.reject(new TypeError("Scoring networks on a data set is not available yet"));
}
