import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { registerGradientFixes } from "./gradients.js";

export type BackendName = "wasm" | "cpu" | "webgpu" | "tensorflow";
const BACKENDS: readonly BackendName[] = ["wasm", "cpu", "webgpu", "tensorflow"];

// Native TensorFlow: tfjs-node-gpu when someone installed it on a GPU host, else tfjs-node, whose binding
// `npm run setup` builds (scripts/native-tensorflow.sh). Either is optional: without a loadable binding, wasm.
const NATIVE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"];

// TensorFlow's C++ start-up notices (oneDNN, CPU features) on every process are noise here (TF_CPP_MIN_LOG_LEVEL=0
// brings them back). Set on import: in a worker thread process.env is the thread's own copy, which TensorFlow
// never reads, so the main thread's import (the server imports the trainer library) is what reaches its threads.
process.env.TF_CPP_MIN_LOG_LEVEL ??= "2";

async function importNative(): Promise<boolean> {
  for (const pkg of NATIVE_PACKAGES) {
    try {
      await import(pkg);
      return true;
    } catch {
      // not installed: try the next one
    }
  }
  return false;
}

function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  // The package's main file lives in dist/, next to the .wasm binaries: load them from disk, not a CDN.
  return path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm")) + path.sep;
}

let wasmPathsSet = false;

async function prepare(name: BackendName): Promise<void> {
  if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // setWasmPaths throws once the module is initialised, e.g. when switching back to wasm
    if (!wasmPathsSet) wasm.setWasmPaths(wasmDistDir());
    wasmPathsSet = true;
  } else if (name === "webgpu") {
    await import("@tensorflow/tfjs-backend-webgpu");
  } else if (name === "tensorflow") {
    if (!(await importNative())) {
      throw new Error(`backend 'tensorflow' needs ${NATIVE_PACKAGES.join(" or ")} installed`);
    }
  }
}

/**
 * Selects and initialises the TensorFlow.js backend once per process and registers the gradient fixes.
 * Default: env TFJS_BACKEND, else 'tensorflow' when a native binding is importable, else 'wasm'.
 */
export async function initBackend(name?: BackendName): Promise<BackendName> {
  let chosen = name ?? (process.env.TFJS_BACKEND as BackendName | undefined);
  if (chosen !== undefined && !BACKENDS.includes(chosen)) {
    throw new Error(`unknown TensorFlow.js backend '${chosen}' (expected one of ${BACKENDS.join(", ")})`);
  }
  if (chosen === undefined) chosen = (await importNative()) ? "tensorflow" : "wasm";
  if (tf.getBackend() !== chosen) {
    await prepare(chosen);
    const ok = await tf.setBackend(chosen);
    if (!ok) throw new Error(`TensorFlow.js backend '${chosen}' failed to initialise`);
    await tf.ready();
  }
  registerGradientFixes();
  return chosen;
}
