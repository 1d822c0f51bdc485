// Where an image of the results comes from, as the views name it: "MNIST train #173",
// "t10k-images-idx3-ubyte.gz #12", "fashion.csv row 174", "four/img_003.png". Shared by the host
// and the webview's browser bundle, so it imports nothing that runs.
import type { Results } from "./results";

type Sourced = {
  experiment: { data: { source: Results["experiment"]["data"]["source"] } };
  images: Pick<Results["images"], "split" | "sourceIndex" | "files">;
};

/** The last part of a path written with "/" or "\" (experiment paths are the user's, either may occur). */
function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/**
 * Where image `image` comes from, enough to find it again: the built-in MNIST's split and index,
 * the IDX file's name and index, the CSV file's name and 1-based data row (header and blank lines
 * not counted), or the image file's path within the folder (`images.files`; " (test folder)" when
 * it is the test folder's).
 */
export function imageSource(results: Sourced, image: number): string {
  const { source } = results.experiment.data;
  const split = results.images.split[image];
  const index = results.images.sourceIndex[image];
  const test = split === "test";
  if (source === "mnist") return `MNIST ${split} #${index}`;
  if ("coloredMnist" in source) return `Colored MNIST ${split} #${index}`;
  if ("idx" in source) return `${baseName((test && source.idx.testImages) || source.idx.images)} #${index}`;
  if ("csv" in source) return `${baseName((test && source.testCsv) || source.csv)} row ${index + 1}`;
  if ("signatures" in source) return `row ${index} of ${baseName(source.signatures.file ?? source.signatures.labels)}`;
  const folder = (test && source.folder.testPath) || source.folder.path;
  const file = results.images.files?.[image];
  // Results written before `files` existed only know the position in the folder's listing.
  return file === undefined ? `${baseName(folder)} #${index}` : `${file}${test ? " (test folder)" : ""}`;
}
