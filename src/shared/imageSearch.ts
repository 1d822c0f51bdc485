// Finding images by what a user knows about them: the results view's search box (webview/search.ts)
// parses its query here and matches it here, so the syntax has one definition, tested in node.
// A query is terms separated by spaces; an image matches when every term holds (SEARCH_HELP says
// which). Matching reads the per-image columns as they are (typed arrays from the `.bin`) and
// builds no per-image object, so 70,000 images take a few milliseconds. Shared with the webview's
// browser bundle, so it imports only what runs there.
import { className } from "./classNames";
import { imageSource } from "./imageSource";
import type { ModelState, OutlierReason, Results } from "./results";
import { grouped, imageCountText } from "./imageCount";

/** The syntax in a few lines, each form's examples and what they find: the search box's tooltip; the README's "Finding images" shows every example. */
export const SEARCH_HELP: { examples: string[]; finds: string }[] = [
  { examples: ["85", "image 85", "80-90"], finds: "images by number" },
  { examples: ["label:3", "class Trouser", "label:3,5"], finds: "by label or class name (either of several)" },
  { examples: ["pred:7", "predicted seven", "wrong"], finds: "by prediction; wrong: predicted other than the label" },
  { examples: ["conf<0.6", "confidence 0.2-0.5", "conf>=90%"], finds: "by the model's confidence" },
  { examples: ["l1:c2", "layer 1 cluster 2"], finds: "by a layer's cluster" },
  { examples: ["outlier", "outlier:rare-path", "far", "unsure"], finds: "the outliers, or those with a reason" },
  { examples: ["injected", "kept"], finds: "injected or kept images" },
  { examples: ["MNIST train #370", "four/img_003.png"], finds: "other words: in the class name or the source" },
  { examples: ["-injected", "not l1:c0"], finds: "images without a term; terms together: images with all" },
];

/** One thing an image must have (or, with `not`, must not have). */
export type SearchTerm = (
  | { kind: "image"; from: number; to: number }
  | { kind: "label"; labels: number[] }
  | { kind: "prediction"; labels: number[] }
  | { kind: "wrong" }
  /** Bounds inclusive unless `lowOpen` / `highOpen`. */
  | { kind: "confidence"; low: number; high: number; lowOpen: boolean; highOpen: boolean }
  /** `layer` 0-based, as the results list them; the query says 1-based layers, as the view does. */
  | { kind: "cluster"; layer: number; clusters: number[] }
  | { kind: "outlier"; reason?: OutlierReason }
  | { kind: "injected"; injected: boolean }
  /** Lower case: found in the image's class name or its source. */
  | { kind: "text"; text: string }
) & { not?: true };

/** What the parser checks a query against: the results' names and sizes. */
export interface SearchVocabulary {
  imageCount: number;
  /** Every label among the images (kept and injected). */
  labels: number[];
  classNames?: Record<string, string>;
  /** Per hidden layer: its number of clusters (k). */
  clusters: number[];
  /** Whether the model's confidences are known (not for imported predictions). */
  confidence: boolean;
}

export type ParsedQuery = { ok: true; terms: SearchTerm[] } | { ok: false; error: string };

const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const REASONS: Record<string, OutlierReason> = {
  "rare-path": "rare-path",
  rare: "rare-path",
  "far-from-cluster": "far-from-cluster",
  far: "far-from-cluster",
  unsure: "unsure",
  misclassified: "misclassified",
};

const NUMBER = String.raw`\d+(?:\.\d+)?%?|\.\d+%?`;
const RANGE = new RegExp(`^(${NUMBER})-(${NUMBER})$`);
const COMPARISON = new RegExp(`^(<=|>=|<|>|=)(${NUMBER})$`);

/**
 * The terms of `query`, or what is wrong with it in words. Spaces around ":", "<", ">", "=" and
 * within "80 - 90" are allowed; keywords and class names are matched without case.
 */
export function parseSearch(query: string, vocabulary: SearchVocabulary): ParsedQuery {
  const tokens = tokenize(query);
  if (tokens.length === 0) return fail("Type what you know about an image: 85, pred:7, conf<0.6, l1:c2, outlier, or a class name");
  const terms: SearchTerm[] = [];
  const reader = new Reader(tokens, vocabulary);
  try {
    while (!reader.done()) terms.push(reader.term());
  } catch (e) {
    if (e instanceof QueryError) return fail(e.message);
    throw e;
  }
  return { ok: true, terms };
}

const fail = (error: string): ParsedQuery => ({ ok: false, error });

class QueryError extends Error {}

interface Token {
  text: string;
  /** Written in quotes: always words, never a keyword. */
  quoted: boolean;
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  // "conf < 0.6" and "l1 : c2" as one token each; "80 - 90" as a range.
  const tidy = query
    .replace(/\s*(<=|>=|<|>|=|:)\s*/g, "$1")
    .replace(/(\d)\s+-\s+(\d)/g, "$1-$2")
    .replace(/:(<=|>=|<|>|=)/g, "$1");
  for (const m of tidy.matchAll(/"([^"]*)"?|(\S+)/g)) {
    if (m[1] !== undefined) {
      if (m[1].trim()) tokens.push({ text: m[1].trim(), quoted: true });
    } else tokens.push({ text: m[2], quoted: false });
  }
  return tokens;
}

class Reader {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly vocabulary: SearchVocabulary,
  ) {}

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  term(): SearchTerm {
    let token = this.next();
    let not = false;
    if (!token.quoted && token.text.toLowerCase() === "not") {
      not = true;
      token = this.nextOr(`"not" needs a term after it, as in "not injected"`);
    } else if (!token.quoted && token.text.length > 1 && token.text.startsWith("-") && !/^-\d/.test(token.text)) {
      not = true;
      token = { text: token.text.slice(1), quoted: false };
    }
    const term = this.positive(token);
    return not ? { ...term, not: true } : term;
  }

  private next(): Token {
    return this.tokens[this.at++];
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private nextOr(error: string): Token {
    if (this.done()) throw new QueryError(error);
    return this.next();
  }

  private positive(token: Token): SearchTerm {
    if (token.quoted) return this.text(token.text);
    const lower = token.text.toLowerCase();
    const colon = lower.indexOf(":");
    const key = colon > 0 ? lower.slice(0, colon) : lower;
    // "key:value", or "key value" with the value in the next token.
    const value = (what: string): string => {
      if (colon > 0) {
        const v = token.text.slice(colon + 1);
        if (v) return v;
      }
      return this.nextOr(`"${token.text}" needs ${what} after it`).text;
    };
    const layerCluster = /^l(?:ayer)?(\d+):?c(?:luster)?(\d+(?:,\d+)*)$/.exec(lower);
    if (layerCluster) return this.cluster(layerCluster[1], layerCluster[2]);
    const comparison = /^(conf|confidence)(<=|>=|<|>|=)(.*)$/.exec(lower);
    if (comparison) return this.confidence(comparison[2] + comparison[3], token.text);
    const layerOnly = /^l(?:ayer)?(\d+)$/.exec(lower);
    if (layerOnly || key === "layer") {
      const layer = layerOnly ? layerOnly[1] : value("a layer number, as in layer 1 cluster 2");
      const needs = `"${layerOnly ? token.text : `layer ${layer}`}" needs a cluster after it, as in layer 1 cluster 2`;
      const word = this.nextOr(needs);
      const cluster = /^c(?:luster)?:?(\d+(?:,\d+)*)?$/i.exec(word.text);
      if (!cluster) throw new QueryError(needs);
      return this.cluster(layer, cluster[1] ?? this.nextOr(`"${word.text}" needs a cluster number after it`).text);
    }
    switch (key) {
      case "image":
      case "img":
      case "id":
        return this.images(value("an image number, as in image 85 or image 80-90"));
      case "label":
      case "digit":
      case "class":
        return { kind: "label", labels: this.classes(value("a label or class name, as in label:3"), key) };
      case "pred":
      case "prediction":
      case "predicted": {
        if (colon < 0 && this.peek()?.text.toLowerCase() === "as") this.next();
        return { kind: "prediction", labels: this.classes(value("a class, as in pred:7"), key) };
      }
      case "conf":
      case "confidence":
        return this.confidence(value("a range, as in conf<0.6 or confidence 0.2-0.5"), token.text);
      case "outlier":
      case "outliers": {
        if (colon < 0) return { kind: "outlier" };
        const reason = REASONS[lower.slice(colon + 1)];
        if (!reason) throw new QueryError(`"${token.text}": an outlier's reason is rare-path, far, unsure or misclassified`);
        return { kind: "outlier", reason };
      }
      case "injected":
      case "unseen":
        return { kind: "injected", injected: true };
      case "kept":
        return { kind: "injected", injected: false };
      case "wrong":
      case "misclassified":
        return { kind: "wrong" };
      case "right":
      case "correct":
        return { kind: "wrong", not: true };
    }
    if (colon > 0) throw new QueryError(`"${token.text}": no such field; fields are image, label, class, pred, conf, l1:c2 and outlier`);
    const id = /^#?(\d+(?:-\d+)?)$/.exec(token.text);
    if (id) return this.images(id[1]);
    if (lower === "rare" && this.peek()?.text.toLowerCase() === "path") {
      this.next();
      return { kind: "outlier", reason: "rare-path" };
    }
    if (REASONS[lower]) return { kind: "outlier", reason: REASONS[lower] };
    // Plain words, and the numbers after them ("MNIST train #370", "fashion.csv row 12"), are one phrase.
    const words = [token.text];
    while (!this.done() && !this.peek()!.quoted && this.isPlain(this.peek()!.text)) words.push(this.next().text);
    return this.text(words.join(" "));
  }

  /** A token that continues a phrase: neither a keyword nor a field. */
  private isPlain(text: string): boolean {
    const lower = text.toLowerCase();
    if (/[:<>=]/.test(lower) || lower === "not" || (lower.startsWith("-") && lower.length > 1)) return false;
    if (/^l(?:ayer)?\d+(c|$)/.test(lower)) return false;
    const keywords = ["image", "img", "id", "label", "digit", "class", "pred", "prediction", "predicted", "conf", "confidence", "layer"];
    const flags = ["outlier", "outliers", "injected", "unseen", "kept", "wrong", "misclassified", "right", "correct", "unsure", "far"];
    return !keywords.includes(lower) && !flags.includes(lower);
  }

  private text(text: string): SearchTerm {
    const lower = text.toLowerCase();
    const label = this.classOf(lower);
    // A class's name or number word alone ("Trouser", "seven") is that class, not a part of other names.
    if (label !== undefined) return { kind: "label", labels: [label] };
    return { kind: "text", text: lower };
  }

  private images(text: string): SearchTerm {
    const m = /^#?(\d+)(?:-(\d+))?$/.exec(text);
    if (!m) throw new QueryError(`"${text}" is not an image number: write image 85, or 80-90 for a range`);
    const last = this.vocabulary.imageCount - 1;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > to) throw new QueryError(`"${text}": a range goes from the lower number to the higher, as in 80-90`);
    if (from > last) throw new QueryError(`no image ${from}: the images are numbered 0 to ${grouped(last)}`);
    return { kind: "image", from, to: Math.min(to, last) };
  }

  /** Labels from "3", "3,5", "seven", "Trouser" (and the words after it that complete a class name, as in "class ankle boot"). */
  private classes(text: string, key: string): number[] {
    return text.split(",").map((part, i, parts) => {
      let name = part.toLowerCase();
      // "class Ankle boot": the next words join while they lead to a longer class name.
      if (i === parts.length - 1)
        while (!this.done() && this.isPlain(this.peek()!.text) && this.classOf(name) === undefined && this.namesStartWith(`${name} `))
          name = `${name} ${this.next().text.toLowerCase()}`;
      const label = /^\d+$/.test(name) ? Number(name) : this.classOf(name);
      if (label === undefined) throw new QueryError(`"${key} ${part}": ${this.knownClasses()}`);
      return label;
    });
  }

  private classOf(lower: string): number | undefined {
    const { classNames, labels } = this.vocabulary;
    for (const label of labels) {
      const name = className({ classNames }, label).toLowerCase();
      if (name === lower || (!classNames && DIGIT_WORDS[label] === lower)) return label;
    }
    return undefined;
  }

  private namesStartWith(prefix: string): boolean {
    const { classNames, labels } = this.vocabulary;
    return labels.some((label) => className({ classNames }, label).toLowerCase().startsWith(prefix));
  }

  private knownClasses(): string {
    const { classNames, labels } = this.vocabulary;
    const names = labels.map((l) => className({ classNames }, l));
    return `no such class; the classes are ${names.join(", ")}`;
  }

  private confidence(text: string, written: string): SearchTerm {
    if (!this.vocabulary.confidence) throw new QueryError(`"${written}": these predictions were imported without the model's confidence`);
    const share = (s: string): number => {
      const x = s.endsWith("%") ? Number(s.slice(0, -1)) / 100 : Number(s);
      if (!(x >= 0 && x <= 1)) throw new QueryError(`"${written}": a confidence is between 0 and 1 (or 0% and 100%)`);
      return x;
    };
    const range = RANGE.exec(text);
    if (range) {
      const [low, high] = [share(range[1]), share(range[2])];
      if (low > high) throw new QueryError(`"${written}": a range goes from the lower confidence to the higher, as in 0.2-0.5`);
      return { kind: "confidence", low, high, lowOpen: false, highOpen: false };
    }
    const comparison = COMPARISON.exec(text);
    if (!comparison) throw new QueryError(`"${written}": write a confidence as conf<0.6, conf>=90% or confidence 0.2-0.5`);
    const x = share(comparison[2]);
    switch (comparison[1]) {
      case "<":
        return { kind: "confidence", low: 0, high: x, lowOpen: false, highOpen: true };
      case "<=":
        return { kind: "confidence", low: 0, high: x, lowOpen: false, highOpen: false };
      case ">":
        return { kind: "confidence", low: x, high: 1, lowOpen: true, highOpen: false };
      case ">=":
        return { kind: "confidence", low: x, high: 1, lowOpen: false, highOpen: false };
      default:
        return { kind: "confidence", low: x, high: x, lowOpen: false, highOpen: false };
    }
  }

  private cluster(layerText: string, clustersText: string): SearchTerm {
    const layers = this.vocabulary.clusters.length;
    const layer = Number(layerText);
    if (!(layer >= 1 && layer <= layers))
      throw new QueryError(`no layer ${layerText}: the model's hidden layers are numbered 1 to ${layers}`);
    const k = this.vocabulary.clusters[layer - 1];
    const clusters = clustersText.split(",").map((c) => {
      if (!/^\d+$/.test(c)) throw new QueryError(`"${c}" is not a cluster number, as in layer 1 cluster 2`);
      if (Number(c) >= k) throw new QueryError(`no cluster ${c} in layer ${layer}: its clusters are numbered 0 to ${k - 1}`);
      return Number(c);
    });
    return { kind: "cluster", layer: layer - 1, clusters };
  }
}

/** The words and sizes a query is checked against, from the results and the model state shown. */
export function searchVocabulary(results: Searchable["results"], state: Searchable["state"]): SearchVocabulary {
  const seen = new Set<number>();
  for (let i = 0; i < results.images.count; i++) seen.add(results.images.labels[i]);
  return {
    imageCount: results.images.count,
    labels: [...seen].sort((a, b) => a - b),
    ...(results.classNames && { classNames: results.classNames }),
    clusters: state.layers.map((l) => l.k),
    confidence: state.confidence !== undefined,
  };
}

/** What matching reads: the run's images and names, and the model state the view shows. */
export interface Searchable {
  results: Pick<Results, "classNames" | "images"> & { experiment: { data: { source: Results["experiment"]["data"]["source"] } } };
  state: Pick<ModelState, "predictions" | "confidence"> & {
    layers: Pick<ModelState["layers"][number], "k" | "assignments">[];
    findings: Pick<ModelState["findings"], "outliers">;
  };
}

/** The images for which every term holds, ascending. */
export function matchImages({ results, state }: Searchable, terms: SearchTerm[]): Uint32Array {
  const count = results.images.count;
  const keep = new Uint8Array(count).fill(1);
  for (const term of terms) {
    const holds = termMask({ results, state }, term);
    const want = term.not ? 0 : 1;
    for (let i = 0; i < count; i++) if (holds[i] !== want) keep[i] = 0;
  }
  let n = 0;
  for (let i = 0; i < count; i++) n += keep[i];
  const out = new Uint32Array(n);
  for (let i = 0, j = 0; i < count; i++) if (keep[i]) out[j++] = i;
  return out;
}

/** 1 for each image the term (without its `not`) holds for. */
function termMask({ results, state }: Searchable, term: SearchTerm): Uint8Array {
  const { images } = results;
  const count = images.count;
  const mask = new Uint8Array(count);
  switch (term.kind) {
    case "image":
      mask.fill(1, term.from, term.to + 1);
      return mask;
    case "label":
    case "prediction": {
      const column = term.kind === "label" ? images.labels : state.predictions;
      const wanted = lookup(term.labels);
      for (let i = 0; i < count; i++) mask[i] = wanted[column[i]] ?? 0;
      return mask;
    }
    case "wrong":
      for (let i = 0; i < count; i++) if (state.predictions[i] !== images.labels[i]) mask[i] = 1;
      return mask;
    case "confidence": {
      const { low, high, lowOpen, highOpen } = term;
      const confidence = state.confidence!;
      for (let i = 0; i < count; i++) {
        const c = confidence[i];
        if ((lowOpen ? c > low : c >= low) && (highOpen ? c < high : c <= high)) mask[i] = 1;
      }
      return mask;
    }
    case "cluster": {
      const assignments = state.layers[term.layer].assignments;
      const wanted = lookup(term.clusters);
      for (let i = 0; i < count; i++) mask[i] = wanted[assignments[i]] ?? 0;
      return mask;
    }
    case "outlier":
      for (const o of state.findings.outliers) if (!term.reason || o.reasons.includes(term.reason)) mask[o.image] = 1;
      return mask;
    case "injected":
      for (let i = 0; i < count; i++) if (Boolean(images.injected[i]) === term.injected) mask[i] = 1;
      return mask;
    case "text":
      return textMask(results, term.text, mask);
  }
}

/** 1 at each of `values` (small non-negative integers: labels, clusters): a test by indexing, several times faster than a Set's. */
function lookup(values: number[]): Uint8Array {
  const table = new Uint8Array(Math.max(...values) + 1);
  for (const v of values) table[v] = 1;
  return table;
}

/** Images whose class name holds `text`, or whose source does (a number in it whole: "#37" is not "#370"). */
function textMask(results: Searchable["results"], text: string, mask: Uint8Array): Uint8Array {
  const { images } = results;
  const byLabel = new Map<number, boolean>();
  const endsInDigit = /\d$/.test(text);
  for (let i = 0; i < images.count; i++) {
    const label = images.labels[i];
    let named = byLabel.get(label);
    if (named === undefined) byLabel.set(label, (named = className(results, label).toLowerCase().includes(text)));
    if (named) {
      mask[i] = 1;
      continue;
    }
    const source = imageSource(results, i).toLowerCase();
    for (let at = source.indexOf(text); at >= 0; at = source.indexOf(text, at + 1))
      if (!endsInDigit || !/\d/.test(source[at + text.length] ?? "")) {
        mask[i] = 1;
        break;
      }
  }
  return mask;
}

/** "12 images", "1 image", "no image": a count as the search box says it. */
export function imagesCountText(n: number): string {
  return n === 0 ? "no image" : imageCountText(n);
}
