import { readFileSync } from "node:fs";

/** One array from a NumPy .npy file (format 1.0–3.0, C order, little-endian). */
export interface NpyArray {
  dtype: "float32" | "float64" | "uint8" | "int8";
  shape: number[];
  data: Float32Array | Float64Array | Uint8Array | Int8Array;
}

const DTYPES: Record<string, NpyArray["dtype"]> = {
  "<f4": "float32",
  "<f8": "float64",
  "|u1": "uint8",
  "|i1": "int8",
  "<u1": "uint8",
  "<i1": "int8",
};

export function parseNpy(bytes: Buffer, what: string): NpyArray {
  if (bytes.length < 10 || bytes.toString("latin1", 0, 6) !== "\x93NUMPY") throw new Error(`${what}: not a .npy file`);
  const major = bytes[6];
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.toString(major === 3 ? "utf8" : "latin1", start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${what}: unreadable .npy header ${JSON.stringify(header)}`);
  const dtype = DTYPES[descr];
  if (!dtype) throw new Error(`${what}: unsupported dtype ${descr}`);
  if (fortran === "True") throw new Error(`${what}: Fortran-ordered arrays are not supported`);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const width = dtype === "float64" ? 8 : dtype === "float32" ? 4 : 1;
  if (bytes.length - offset !== count * width)
    throw new Error(`${what}: ${bytes.length - offset} data bytes, shape [${shape}] needs ${count * width}`);
  // copy into an aligned buffer: the data offset of a .npy file is 64-byte aligned only from the file's start
  const body = new Uint8Array(bytes.subarray(offset, offset + count * width)).buffer;
  const data =
    dtype === "float32"
      ? new Float32Array(body)
      : dtype === "float64"
        ? new Float64Array(body)
        : dtype === "uint8"
          ? new Uint8Array(body)
          : new Int8Array(body);
  return { dtype, shape, data };
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path), path);
}
