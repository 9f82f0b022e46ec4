/**
 * The ML side, free of the engine and of any tensor backend: on-disk formats (`formats/`: npy,
 * safetensors, data sets, features, backbone metadata), small models and their files (`models/`), training loops,
 * optimisers, samplers and dropout (`training/`), DomainBed's image augmentation (`images/`), soups, WiSE-FT
 * and ensembles (`averaging/`), and
 * DomainBed-style evaluation, tables and plots (`evaluation/`). Plain TypeScript over typed arrays.
 *
 * @module
 */
export { assertAverageable } from "./averaging/averageable.ts";
export { argmaxRows, meanProbabilities } from "./averaging/ensemble.ts";
export { greedySoup } from "./averaging/greedy_soup.ts";
export { uniformSoup } from "./averaging/uniform_soup.ts";
export { selectAlpha, wiseFt } from "./averaging/wise_ft.ts";
export { compareValidation, validationScore } from "./averaging/validation_score.ts";
export type { ValidationScore } from "./averaging/validation_score.ts";
export type { GreedySoupResult, SoupCandidate } from "./averaging/greedy_soup.ts";
export { domainAccuracy, subsetRows, summarizeAccuracy } from "./evaluation/domain_accuracy.ts";
export type { LabelledRows, SplitAccuracy } from "./evaluation/domain_accuracy.ts";
export { domainbedTable } from "./evaluation/domainbed_table.ts";
export type { Table, TableEntry, TableRow } from "./evaluation/domainbed_table.ts";
export { evaluationRecord } from "./evaluation/evaluation_record.ts";
export type { EvaluationRecord } from "./evaluation/evaluation_record.ts";
export {
  fieldValue,
  filterRuns,
  formatValue,
  groupRuns,
  varyingFields,
} from "./evaluation/group_runs.ts";
export type { RunGroup } from "./evaluation/group_runs.ts";
export { formatMeanStderr } from "./evaluation/mean_stderr.ts";
export type { MeanStderr } from "./evaluation/mean_stderr.ts";
export { selectBest } from "./evaluation/select_best.ts";
export { PALETTE, renderPlot } from "./evaluation/svg_plot.ts";
export type { PlotSeries } from "./evaluation/svg_plot.ts";
export { BackboneInfo, readBackboneInfo } from "./formats/backbone_info.ts";
export type { Preprocessing } from "./formats/backbone_info.ts";
export { DATASET_FILES, readDataset, readDatasetInfo } from "./formats/dataset.ts";
export type { Dataset } from "./formats/dataset.ts";
export { createDatasetWriter } from "./formats/dataset_writer.ts";
export type { DatasetWriter } from "./formats/dataset_writer.ts";
export { FEATURES_FILES, FeaturesInfo, readFeatures, writeFeatures } from "./formats/features.ts";
export { writeNpy } from "./formats/npy_file.ts";
export { openSafetensors } from "./formats/safetensors.ts";
export type { SafetensorsEntry, SafetensorsFile } from "./formats/safetensors.ts";
export type { NpyReader } from "./formats/npy_reader.ts";
export { createNpyWriter } from "./formats/npy_writer.ts";
export type { NpyWriter } from "./formats/npy_writer.ts";
export { augmentImage, augmentRandom, DOMAINBED_AUGMENT, randomCrop } from "./images/augment.ts";
export type { AugmentOptions } from "./images/augment.ts";
export { cropResize } from "./images/resize.ts";
export type { CropBox } from "./images/resize.ts";
export { headModelJson } from "./models/head_model_json.ts";
export { readModelDir, writeModelDir } from "./models/model_dir.ts";
export type { ModelJson } from "./models/model_dir.ts";
export { modelMetaOf, withMeta } from "./models/model_meta.ts";
export type { ModelMeta } from "./models/model_meta.ts";
export { architectureOf, cloneWeights, maxAbsDifference, weightsDigest } from "./models/weights.ts";
export type { Weights } from "./models/weights.ts";
export { Prng } from "./prng.ts";
export { loadCheckpoint, saveCheckpoint } from "./training/checkpoint.ts";
export { headLogits, initHead, softmaxRows } from "./training/dense_head.ts";
export { applyDropout } from "./training/dropout.ts";
export { evaluationGroups, gatherRows, headTrainable } from "./training/head_trainable.ts";
export { effectiveLearningRate } from "./training/optimizer.ts";
export { domainPools } from "./training/sampler.ts";
export { syntheticFeatures } from "./training/synthetic_features.ts";
export type { SyntheticOptions } from "./training/synthetic_features.ts";
export { trainLoop } from "./training/train_loop.ts";
export type { Trainable, TrainConfig, TrainHooks, TrainState } from "./training/train_loop.ts";
