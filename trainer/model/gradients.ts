import * as tf from "@tensorflow/tfjs";

let registered = false;

/**
 * tfjs's own BatchMatMul gradient calls matMul with transposeA/transposeB, which takes a ~15× slower path on
 * wasm; this one transposes explicitly. Only the last two axes are swapped, so it also serves batched matmuls.
 */
function batchMatMulGrad(): tf.GradConfig {
  const t = (x: tf.Tensor): tf.Tensor => {
    const perm = x.shape.map((_, i) => i);
    const n = perm.length;
    [perm[n - 2], perm[n - 1]] = [perm[n - 1], perm[n - 2]];
    return tf.transpose(x, perm);
  };
  return {
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const g = dy as tf.Tensor;
      const mm = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y);
      if (!transposeA && !transposeB) return { a: () => mm(g, t(b)), b: () => mm(t(a), g) };
      if (!transposeA && transposeB) return { a: () => mm(g, b), b: () => mm(t(g), a) };
      if (transposeA && !transposeB) return { a: () => mm(b, t(g)), b: () => mm(a, g) };
      return { a: () => mm(t(b), t(g)), b: () => mm(t(g), t(a)) };
    },
  };
}

/**
 * wasm has no UnsortedSegmentSum, which tfjs's gather gradient needs. scatterND sums duplicate indices, which is
 * exactly what an embedding-lookup gradient must do. Covers axis 0 without batch dims (embedding lookups).
 */
function gatherGrad(): tf.GradConfig {
  const original = tf.getGradient("GatherV2");
  return {
    kernelName: "GatherV2",
    inputsToSave: ["x", "indices"],
    gradFunc: (dy, saved, attrs) => {
      const [x, indices] = saved;
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      if ((axis !== 0 && axis !== -x.rank) || batchDims) {
        if (!original) throw new Error("no gradient for GatherV2 with axis != 0");
        return original.gradFunc(dy, saved, attrs);
      }
      return {
        x: () => {
          const n = indices.size;
          const flatIdx = tf.reshape(tf.cast(indices, "int32"), [n, 1]);
          const values = tf.reshape(dy as tf.Tensor, [n, ...x.shape.slice(1)]);
          return tf.scatterND(flatIdx, values, x.shape);
        },
        indices: () => tf.zerosLike(indices),
      };
    },
  };
}

/** Idempotent: called by initBackend. Gradients are global to tfjs, not per backend. */
export function registerGradientFixes(): void {
  if (registered) return;
  const fixes = [batchMatMulGrad(), gatherGrad()];
  for (const fix of fixes) {
    // unregister first: registerGradient on an existing name only warns and keeps going
    if (tf.getGradient(fix.kernelName)) tf.unregisterGradient(fix.kernelName);
    tf.registerGradient(fix);
  }
  registered = true;
}
