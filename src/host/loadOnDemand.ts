// The on-demand bundle (onDemand.ts), required beside this one (dist/extension.js) on first use.
import { join } from "node:path";

type OnDemand = typeof import("./onDemand");

let loaded: OnDemand | undefined;

export function onDemand(): OnDemand {
  loaded ??= require(join(__dirname, "onDemand.js")) as OnDemand;
  return loaded;
}
