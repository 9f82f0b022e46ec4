/**
 * The tensor runtime: TF.js 4.22 loaded with the backend a stage asks for (`loadTensorRuntime`), the
 * WebAssembly kernels dropline registers for training on wasm (hand-written: they are the point of this
 * package), reading/writing TF.js models on disk, and
 * networks built from standard layers (`networks/`: torchvision's ResNets). TF.js itself is imported lazily, inside
 * `loadTensorRuntime`, so importing this module is cheap.
 *
 * @module
 */
export { BackendParam } from "./backend_param.ts";
export {
  directoryIO,
  loadGraphModelFromDir,
  loadLayersModelFromDir,
  saveModelToDir,
  WEIGHTS_BIN,
} from "./fs_io.ts";
export { registerGroupNorm } from "./group_norm.ts";
export { MNIST_CNN_FEATURES, mnistCnn } from "./mnist_cnn.ts";
export { resnet, RESNET_ARCHITECTURES, RESNET_FEATURES } from "./networks/resnet.ts";
export type { ResNetArchitecture, ResNetOptions, ResNetSpec } from "./networks/resnet.ts";
export {
  compareResNetTensors,
  loadTorchResNetWeights,
  resnetSpecOf,
  resnetTensorShapes,
} from "./networks/resnet_weights.ts";
export type { TensorMismatch, TorchTensorSource } from "./networks/resnet_weights.ts";
export { loadTensorRuntime, runtimeFacts } from "./runtime.ts";
export type { TensorRuntime, Tf } from "./runtime.ts";
export type { BackendChoice } from "./backend_choice.ts";
export { resolveBackend } from "./resolve_backend.ts";
export type { ResolvedBackend } from "./resolve_backend.ts";
export { TENSOR_HOST_FLAGS, tensorEnvironment } from "./tensor_environment.ts";
