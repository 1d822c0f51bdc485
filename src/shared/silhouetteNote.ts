// How a layer's silhouette is qualified where it is shown: large layers' silhouettes are estimated
// from a sample (`LayerResult.silhouetteSample`). Shared by the pipeline, the host and the webview.
import type { LayerResult } from "./results";
import { grouped } from "./imageCount";

/** " (estimated from 10,000 sampled images)" for a sampled layer, "" for an exact one. */
export function silhouetteNote(layer: Pick<LayerResult, "silhouetteSample">): string {
  return layer.silhouetteSample === undefined ? "" : ` (estimated from ${grouped(layer.silhouetteSample)} sampled images)`;
}
