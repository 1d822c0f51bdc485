// Writers of the array files the signatures source reads (.npy, .npz, safetensors), byte for byte
// as NumPy and safetensors write them, and the real MNIST signatures the tests import: the pixels
// of 1s, 7s and 4s as a 784-d first "layer", a seeded random projection of them as a second, and
// the predictions of a nearest-centroid classifier of 1s against 7s.
import { crc32, deflateRawSync } from "node:zlib";
import { readIdx } from "../src/data/idx";
import { mnistFile } from "../src/data/mnist";
import { randomFor } from "../src/data/random";

export type Descr = "<f2" | "<f4" | ">f4" | "<f8" | "|i1" | "<i2" | "<i4" | "<i8" | ">i8" | "|u1" | "<u2" | "<u4" | "<u8";

/** A .npy file: preamble, the header dict padded with spaces to a multiple of 64 bytes, then `data`'s bytes. */
export function npyBytes(descr: string, shape: number[], data: Uint8Array, { version = 1, fortran = false } = {}): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': (${shape.map((d) => `${d},`).join(" ")}), }`;
  const preamble = version === 1 ? 10 : 12;
  const padded = dict + " ".repeat(64 - ((preamble + dict.length + 1) % 64)) + "\n";
  const out = new Uint8Array(preamble + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  out.set(new TextEncoder().encode(padded), preamble);
  out.set(data, preamble + padded.length);
  return out;
}

/** The bytes of typed values in a dtype ("<f4", ">i8"...). */
export function valueBytes(descr: Descr, values: ArrayLike<number>): Uint8Array {
  const le = descr[0] !== ">";
  const kind = descr[1];
  const size = Number(descr.slice(2));
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * size;
    if (kind === "f") {
      if (size === 2) view.setUint16(o, toFloat16(v), le);
      else if (size === 4) view.setFloat32(o, v, le);
      else view.setFloat64(o, v, le);
    } else if (size === 1) view.setUint8(o, v & 0xff);
    else if (size === 2) view.setUint16(o, v & 0xffff, le);
    else if (size === 4) view.setUint32(o, v >>> 0, le);
    else view.setBigInt64(o, BigInt(v), le);
  }
  return out;
}

function toFloat16(v: number): number {
  const f = new DataView(new ArrayBuffer(4));
  f.setFloat32(0, v);
  const x = f.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  if (exponent <= 0) return sign;
  if (exponent >= 0x1f) return sign | 0x7c00;
  return sign | (exponent << 10) | ((x >>> 13) & 0x3ff);
}

/** A zip of `entries` (NAME.npy -> bytes), stored or deflated, as numpy.savez / savez_compressed write. */
export function zipBytes(entries: Record<string, Uint8Array>, deflate: boolean): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name);
    const body = deflate ? deflateRawSync(data) : Buffer.from(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** A safetensors file of `tensors` (name -> dtype, shape, bytes): the header padded with spaces to 8 bytes. */
export function safetensorsBytes(tensors: Record<string, { dtype: string; shape: number[]; data: Uint8Array }>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let at = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.data.length] };
    at += t.data.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, Buffer.from(json), ...Object.values(tensors).map((t) => t.data)]);
}

/** Real MNIST signatures of the first `count` training images whose label is 1, 7 or 4. */
export function mnistSignatures(count: number): {
  labels: number[];
  pixels: Uint8Array;
  h1: Float32Array;
  h2: Float32Array;
  predictions: number[];
  h2Width: number;
} {
  const images = readIdx(mnistFile("train-images-idx3-ubyte")).data;
  const all = readIdx(mnistFile("train-labels-idx1-ubyte")).data;
  const rows: number[] = [];
  for (let i = 0; rows.length < count; i++) if ([1, 7, 4].includes(all[i])) rows.push(i);
  const pixels = new Uint8Array(rows.length * 784);
  rows.forEach((r, i) => pixels.set(images.subarray(r * 784, (r + 1) * 784), i * 784));
  const h1 = Float32Array.from(pixels, (p) => p / 255);
  const h2Width = 32;
  const random = randomFor(7, "projection");
  const w = Float32Array.from({ length: 784 * h2Width }, () => (random() - 0.5) / 14);
  const h2 = new Float32Array(rows.length * h2Width);
  for (let i = 0; i < rows.length; i++) {
    for (let u = 0; u < h2Width; u++) {
      let s = 0;
      for (let p = 0; p < 784; p++) s += h1[i * 784 + p] * w[p * h2Width + u];
      h2[i * h2Width + u] = Math.tanh(s);
    }
  }
  const labels = rows.map((r) => all[r]);
  // A nearest-centroid 1-vs-7 classifier on the pixels: every image, 4s too, is predicted a 1 or a 7.
  const centroid = (d: number) => {
    const c = new Float64Array(784);
    const of = labels.flatMap((l, i) => (l === d ? [i] : []));
    for (const i of of) for (let p = 0; p < 784; p++) c[p] += h1[i * 784 + p] / of.length;
    return c;
  };
  const [c1, c7] = [centroid(1), centroid(7)];
  const distance = (i: number, c: Float64Array) => c.reduce((s, v, p) => s + (h1[i * 784 + p] - v) ** 2, 0);
  const predictions = labels.map((_, i) => (distance(i, c1) <= distance(i, c7) ? 1 : 7));
  return { labels, pixels, h1, h2, predictions, h2Width };
}
