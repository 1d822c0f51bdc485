// safetensors (Hugging Face's format, what torch users save with safetensors.torch.save_file): an
// 8-byte little-endian header length, a JSON header mapping each tensor's name to its dtype,
// shape and [begin, end) byte offsets in the data that follows, then the raw little-endian data.
import { DataFileError } from "./dataFileError";
import { checkFits, dtypeName, readAt, sizeOf, valueCount, type Dtype, type LocatedArray } from "./npy";

const DTYPES: Record<string, [Dtype["kind"], number]> = {
  F16: ["f", 2],
  BF16: ["bf", 2],
  F32: ["f", 4],
  F64: ["f", 8],
  I8: ["i", 1],
  I16: ["i", 2],
  I32: ["i", 4],
  I64: ["i", 8],
  U8: ["u", 1],
  U16: ["u", 2],
  U32: ["u", 4],
  U64: ["u", 8],
  BOOL: ["b", 1],
};

interface TensorInfo {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function notSafetensors(file: string, what: string): DataFileError {
  return new DataFileError(file, `not a safetensors file (${what})`, "save the tensors with safetensors.torch.save_file({...}, path)");
}

/** The header: each tensor's entry, and where the data starts. */
async function header(file: string, size: number): Promise<{ tensors: Record<string, TensorInfo>; dataStart: number }> {
  if (size < 8) throw notSafetensors(file, "shorter than its 8-byte header length");
  const length = Number(new DataView((await readAt(file, 0, 8)).buffer).getBigUint64(0, true));
  if (8 + length > size) throw notSafetensors(file, `its header length (${length}) runs past the end of the file`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await readAt(file, 8, length)));
  } catch {
    throw notSafetensors(file, "its header is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw notSafetensors(file, "its header is not a JSON object");
  const tensors = Object.fromEntries(Object.entries(json).filter(([k]) => k !== "__metadata__")) as Record<string, TensorInfo>;
  return { tensors, dataStart: 8 + length };
}

/** The tensor named `key` in the safetensors `file`: its header read now, its values when asked. */
export async function locateSafetensors(file: string, key: string): Promise<LocatedArray> {
  const size = await sizeOf(file);
  const { tensors, dataStart } = await header(file, size);
  const info = tensors[key];
  if (!info) {
    const names = Object.keys(tensors);
    throw new DataFileError(
      file,
      `no tensor "${key}" in the file (it holds ${names.map((n) => `"${n}"`).join(", ") || "nothing"})`,
      "name one of its tensors",
    );
  }
  const type = DTYPES[info.dtype];
  const offsets = info.data_offsets;
  const valid =
    Array.isArray(info.shape) &&
    info.shape.every((d) => Number.isSafeInteger(d) && d >= 0) &&
    Array.isArray(offsets) &&
    offsets.length === 2 &&
    offsets.every((o) => Number.isSafeInteger(o) && o >= 0) &&
    offsets[0] <= offsets[1];
  if (!valid) throw notSafetensors(file, `the entry of "${key}" lacks a shape or data_offsets`);
  if (!type) {
    throw new DataFileError(
      file,
      `the tensor "${key}" has dtype ${info.dtype}, which is not supported`,
      "save it as float32 or an integer type",
    );
  }
  const dtype: Dtype = { kind: type[0], size: type[1], littleEndian: true, name: dtypeName(type[0], type[1]) };
  const located = { dtype, shape: info.shape };
  const [begin, end] = offsets;
  if (end - begin !== valueCount(info.shape) * dtype.size) {
    throw notSafetensors(
      file,
      `"${key}" spans ${end - begin} bytes but its shape ${info.shape.join("x")} of ${dtype.name} needs ${valueCount(info.shape) * dtype.size}`,
    );
  }
  checkFits(file, located, Math.max(0, size - dataStart - begin));
  return { ...located, file, key, read: (from, n) => readAt(file, dataStart + begin + from, n) };
}
