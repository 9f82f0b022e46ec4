/** The type of the TF.js namespace the runtime hands out (no code: TF.js loads lazily). */
import type * as TfCore from "@tensorflow/tfjs-core";
import type * as TfLayers from "@tensorflow/tfjs-layers";
import type { loadGraphModel } from "@tensorflow/tfjs-converter";

/** The TF.js namespace: tfjs-core, tfjs-layers and the converter's `loadGraphModel`. */
export type Tf = typeof TfCore & typeof TfLayers & { loadGraphModel: typeof loadGraphModel };
