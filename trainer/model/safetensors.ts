import { readFileSync, writeFileSync } from "node:fs";

/** One tensor as plain data: row-major values, always float32 in memory. */
export interface TensorData {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Record<string, TensorData>;
  metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };
// A header larger than this is a corrupt length prefix, not a real file (the format's own cap is 100 MB).
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

function fail(where: string, why: string): never {
  throw new Error(`safetensors ${where}: ${why}`);
}

function f16ToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(dtype: string, bytes: Uint8Array, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dtype === "F32") {
    // Aligned data (the usual case: writers pad the header) is copied in one go; the host is little-endian.
    if (bytes.byteOffset % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
    else for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  } else if (dtype === "F16") {
    for (let i = 0; i < count; i++) out[i] = f16ToF32(view.getUint16(i * 2, true));
  } else {
    // BF16 is the top half of an F32
    const u32 = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u32[i] = view.getUint16(i * 2, true) << 16;
  }
  return out;
}

export interface ReadOptions {
  /** Decode only the tensors this accepts (others are still bounds-checked, so e.g. an I64 buffer can be skipped). */
  include?: (name: string) => boolean;
}

/** Parses a safetensors buffer; every tensor is converted to Float32Array. `source` names the file in errors. */
export function parseSafetensors(buf: Uint8Array, source = "buffer", opts: ReadOptions = {}): SafetensorsFile {
  if (buf.byteLength < 8) fail(source, `file is ${buf.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES || 8 + headerLen > buf.byteLength) {
    fail(source, `header length ${headerLen} exceeds the file size ${buf.byteLength}`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(source, `header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail(source, "header is not a JSON object");
  const dataStart = 8 + headerLen;
  const dataLen = buf.byteLength - dataStart;
  const tensors: Record<string, TensorData> = {};
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = raw as Record<string, string>;
      continue;
    }
    const where = `${source}, tensor '${name}'`;
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!info || typeof info !== "object") fail(where, "entry is not an object");
    const { dtype, shape, data_offsets: offsets } = info;
    const wanted = opts.include ? opts.include(name) : true;
    if (typeof dtype !== "string" || (wanted && !(dtype in BYTES_PER_ELEMENT))) {
      fail(where, `unsupported dtype ${JSON.stringify(dtype)} (supported: F32, F16, BF16)`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(where, `shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      fail(where, `data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLen) {
      fail(where, `data_offsets [${begin}, ${end}] fall outside the ${dataLen}-byte data section`);
    }
    if (!wanted) continue;
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = count * BYTES_PER_ELEMENT[dtype];
    if (end - begin !== expected) {
      fail(where, `shape [${shape}] of ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
    }
    tensors[name] = { shape: shape as number[], data: decode(dtype, buf.subarray(dataStart + begin, dataStart + end), count) };
  }
  return { tensors, metadata };
}

export function readSafetensors(file: string, opts: ReadOptions = {}): SafetensorsFile {
  return parseSafetensors(readFileSync(file), file, opts);
}

/** Serialises tensors as F32 (names sorted, as the reference implementation does). */
export function serializeSafetensors(tensors: Record<string, TensorData>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors[name];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!(data instanceof Float32Array)) throw new Error(`writeSafetensors: tensor '${name}' data is not a Float32Array`);
    if (count !== data.length) {
      throw new Error(`writeSafetensors: tensor '${name}' has shape [${shape}] (${count} values) but ${data.length} values`);
    }
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data section starts 8-byte aligned.
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors[name];
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    pos += data.byteLength;
  }
  return out;
}

export function writeSafetensors(file: string, tensors: Record<string, TensorData>, metadata?: Record<string, string>): void {
  writeFileSync(file, serializeSafetensors(tensors, metadata));
}
