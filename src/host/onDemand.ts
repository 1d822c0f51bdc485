// What the extension host loads on first use rather than on activation, bundled apart as
// dist/onDemand.js (loadOnDemand.ts requires it): the named-selections file (its zod schema), the
// tidy table with its Parquet writer, and the notebook. Bundled with the rest, they made the
// activation bundle 788 kB instead of 74 kB, some 80 ms more to compile on every activation.
// Only modules without state of their own belong here: this bundle has its own copy of each.
export { readSelections, writeSelections } from "../results/selectionsFile";
export { neighboursTable, tidyTable } from "../results/table";
export { defaultTableFile, writeTable } from "../results/tableFiles";
export { notebookFileFor, writeNotebookFiles } from "../results/notebook";
export { nameNote, suggestedName, withoutSelection, withSelection } from "./selectionEdits";
