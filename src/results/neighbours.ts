// One image's stored neighbours in each layer's own space (layers[n].neighbours and
// neighbourDistances, neighbourCount per image): what the results view lists and draws for an image
// selected alone. The host answers from the results it showed (the columns are read with the rest of
// the .bin; an all-JSON file's are converted with it), never posting the view a million images' lists.
import { stateWhenEpochEnded } from "../shared/epochs";
import type { LayerNeighbours } from "../shared/protocol";
import type { LayerResult, Results } from "../shared/results";

/** Whether `layer` holds stored neighbours to list or table (results written before them hold none). */
export function storesNeighbours(layer: LayerResult): boolean {
  return !!layer.neighbours && !!layer.neighbourDistances && (layer.neighbourCount ?? 0) >= 1;
}

/**
 * Per layer of the model state recorded when `epoch` ended (the final model's when absent), image
 * `image`'s stored neighbours, nearest first; null for a layer that stores none, and for every
 * layer when `image` is not an image of the results or `epoch` not a recorded one (a hostile or
 * stale request gets nothing rather than another image's or another state's).
 */
export function storedNeighbours(results: Results, image: unknown, epoch: unknown): (LayerNeighbours | null)[] {
  const state = epoch === undefined ? results : typeof epoch === "number" ? stateWhenEpochEnded(results, epoch) : undefined;
  const known = Number.isSafeInteger(image) && (image as number) >= 0 && (image as number) < results.images.count;
  return (state ?? results).layers.map((layer) => {
    if (!state || !known || !storesNeighbours(layer)) return null;
    const k = layer.neighbourCount!;
    const from = (image as number) * k;
    return {
      images: Array.from({ length: k }, (_, q) => layer.neighbours![from + q]),
      distances: Array.from({ length: k }, (_, q) => layer.neighbourDistances![from + q]),
    };
  });
}
