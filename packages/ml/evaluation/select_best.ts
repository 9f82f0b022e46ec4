/**
 * Training-domain validation (DomainBed): among checkpoints or hyper-parameter
 * settings, pick the one with the best validation score - the mean accuracy on
 * the training domains' held-out splits. Ties go to the earliest item, as
 * NumPy's argmax does.
 *
 * @example
 * ```ts
 * const best = selectBest(records, (r) => r.val_acc); // index, or -1 for none
 * ```
 */
export function selectBest<T>(items: readonly T[], score: (item: T) => number): number {
  let best = -1, bestScore = -Infinity;
  items.forEach((item, i) => {
    const s = score(item);
    if (s > bestScore) [best, bestScore] = [i, s];
  });
  return best;
}
