// Every image's path (label -> cluster in each hidden layer -> prediction) and the aggregated
// flows the Sankey draws.
import { className } from "../shared/classNames";
import { classLabel } from "../shared/imageName";
import { labelGroups } from "../shared/labelGroups";
import type { FlowLink, FlowNode, Flows } from "../shared/results";

export interface PathInput {
  labels: ArrayLike<number>;
  injected: ArrayLike<boolean>;
  /** Per hidden layer, per image: its cluster. */
  assignments: ArrayLike<number>[];
  /** Per image: the predicted class. */
  predictions: ArrayLike<number>;
  /** Label -> class name, shown in the node labels instead of the label. */
  classNames?: Record<string, string>;
}

const digitId = (d: number) => `digit:${d}`;
const clusterId = (layer: number, c: number) => `L${layer + 1}:c${c}`;
const predictionId = (p: number) => `pred:${p}`;

/** The node ids an image passes through, column by column. */
export function pathOf(input: PathInput, image: number): string[] {
  return [digitId(input.labels[image]), ...input.assignments.map((a, l) => clusterId(l, a[image])), predictionId(input.predictions[image])];
}

export function flows(input: PathInput): Flows {
  const layers = input.assignments.length;
  const nodes = new Map<string, FlowNode>();
  const links = new Map<string, FlowLink & { images: number[] }>();
  const injectedDigits = new Set(labelGroups(input).injected);
  const node = (id: string, column: number, kind: FlowNode["kind"], value: number): FlowNode => {
    let n = nodes.get(id);
    if (!n) {
      const label =
        kind === "digit"
          ? classLabel(input, value, injectedDigits.has(value))
          : kind === "cluster"
            ? `layer ${column} · cluster ${value}`
            : `predicted ${className(input, value)}`;
      n = { id, column, kind, value, label, count: 0 };
      nodes.set(id, n);
    }
    n.count++;
    return n;
  };
  for (let i = 0; i < input.labels.length; i++) {
    const path = [
      node(digitId(input.labels[i]), 0, "digit", input.labels[i]),
      ...input.assignments.map((a, l) => node(clusterId(l, a[i]), l + 1, "cluster", a[i])),
      node(predictionId(input.predictions[i]), layers + 1, "prediction", input.predictions[i]),
    ];
    for (let s = 0; s + 1 < path.length; s++) {
      const key = `${path[s].id}>${path[s + 1].id}`;
      let link = links.get(key);
      if (!link) {
        link = { source: path[s].id, target: path[s + 1].id, count: 0, images: [] };
        links.set(key, link);
      }
      link.count++;
      link.images.push(i);
    }
  }
  const byColumnThenValue = (a: FlowNode, b: FlowNode) => a.column - b.column || a.value - b.value;
  return { nodes: [...nodes.values()].sort(byColumnThenValue), links: [...links.values()] };
}
