import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } from "../../trainer/model/safetensors.js";

/** Builds a safetensors file by hand (independently of the writer under test). */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = Buffer.from(headerText ?? JSON.stringify(header), "utf8");
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test("writes F32 and reads back the same names, shapes, values and metadata", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "st-"));
  const file = path.join(dir, "w.safetensors");
  const tensors = {
    "layer.4.qkvW": { shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, -7e5]) },
    "lora.layer.4.q.B": { shape: [3], data: new Float32Array([0.25, 0.5, 0.75]) },
    scalar: { shape: [], data: new Float32Array([42]) },
  };
  writeSafetensors(file, tensors, { base: "abc" });
  const back = readSafetensors(file);
  assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    assert.deepEqual(back.tensors[name].shape, t.shape);
    assert.deepEqual(Array.from(back.tensors[name].data), Array.from(t.data));
  }
  assert.deepEqual(back.metadata, { base: "abc" });
});

test("the writer aligns the data section to 8 bytes", () => {
  const bytes = serializeSafetensors({ a: { shape: [1], data: new Float32Array([1]) } });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLen) % 8, 0);
});

test("decodes F16 and BF16 to float32", () => {
  // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, 65504 = 0x7bff, smallest subnormal 0x0001
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001]);
  // BF16: top halves of the F32 bit patterns of 1.0, -3.0 and 0.15625
  const bf16 = new Uint16Array([0x3f80, 0xc040, 0x3e20]);
  const data = new Uint8Array(f16.byteLength + bf16.byteLength);
  data.set(new Uint8Array(f16.buffer), 0);
  data.set(new Uint8Array(bf16.buffer), f16.byteLength);
  const file = parseSafetensors(
    rawFile(
      {
        half: { dtype: "F16", shape: [5], data_offsets: [0, 10] },
        brain: { dtype: "BF16", shape: [3], data_offsets: [10, 16] },
      },
      data,
    ),
  );
  assert.deepEqual(Array.from(file.tensors.half.data), [1, -2, 0.5, 65504, 2 ** -24]);
  assert.deepEqual(Array.from(file.tensors.brain.data), [1, -3, 0.15625]);
});

test("reads F32 data that is not 4-byte aligned", () => {
  const values = new Float32Array([1.5, -2.25]);
  const header = { x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  // a 1-byte longer header text shifts the data section off alignment
  const bytes = rawFile(null, new Uint8Array(values.buffer), JSON.stringify(header) + " ");
  assert.notEqual((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 4, 0);
  assert.deepEqual(Array.from(parseSafetensors(bytes).tensors.x.data), [1.5, -2.25]);
});

test("include skips tensors of unsupported dtypes but still reads the rest", () => {
  const data = new Uint8Array(16 + 4);
  new DataView(data.buffer).setFloat32(16, 9, true);
  const bytes = rawFile(
    {
      position_ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] },
      w: { dtype: "F32", shape: [1], data_offsets: [16, 20] },
    },
    data,
  );
  assert.throws(() => parseSafetensors(bytes, "f"), /tensor 'position_ids'.*unsupported dtype "I64"/);
  const file = parseSafetensors(bytes, "f", { include: (n) => n !== "position_ids" });
  assert.deepEqual(Object.keys(file.tensors), ["w"]);
  assert.equal(file.tensors.w.data[0], 9);
});

const malformed: [string, Uint8Array, RegExp][] = [
  ["a file shorter than the length prefix", new Uint8Array(5), /shorter than the 8-byte header length/],
  [
    "a header length past the end of the file",
    rawFile(null, new Uint8Array(0), "{}").subarray(0, 9),
    /header length 2 exceeds the file size 9/,
  ],
  ["a header that is not JSON", rawFile(null, new Uint8Array(0), '{"a": [1,'), /header is not valid JSON/],
  ["a header that is a JSON array", rawFile([1, 2], new Uint8Array(0)), /header is not a JSON object/],
  [
    "an unknown dtype",
    rawFile({ w: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /tensor 'w'.*unsupported dtype "F64"/,
  ],
  [
    "a bad shape",
    rawFile({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
    /tensor 'w'.*shape \[-1\] is not a list/,
  ],
  [
    "offsets that are not a pair",
    rawFile({ w: { dtype: "F32", shape: [1], data_offsets: [0] } }, new Uint8Array(4)),
    /tensor 'w'.*data_offsets \[0\] is not \[begin, end\]/,
  ],
  [
    "offsets past the data section",
    rawFile({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)),
    /tensor 'w'.*data_offsets \[0, 8\] fall outside the 4-byte data section/,
  ],
  [
    "offsets that run backwards",
    rawFile({ w: { dtype: "F32", shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)),
    /tensor 'w'.*fall outside/,
  ],
  [
    "a shape that does not match the byte count",
    rawFile({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /tensor 'w'.*shape \[3\] of F32 needs 12 bytes but data_offsets span 8/,
  ],
];
for (const [what, bytes, message] of malformed) {
  test(`rejects ${what} with an error naming the problem`, () => {
    assert.throws(
      () => parseSafetensors(bytes, "bad.safetensors"),
      (e: Error) => {
        assert.match(e.message, /^safetensors bad\.safetensors/);
        assert.match(e.message, message);
        return true;
      },
    );
  });
}

test("readSafetensors names the file in its errors", () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "st-")), "broken.safetensors");
  writeFileSync(file, Buffer.from("not a safetensors file at all"));
  assert.throws(() => readSafetensors(file), /broken\.safetensors.*header length/);
});

test("the writer rejects data that does not fit the shape", () => {
  assert.throws(
    () => serializeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } }),
    /tensor 'w' has shape \[2,2\] \(4 values\) but 3 values/,
  );
  assert.throws(
    () => serializeSafetensors({ w: { shape: [1], data: [1] as unknown as Float32Array } }),
    /tensor 'w' data is not a Float32Array/,
  );
});
