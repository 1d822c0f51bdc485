// Named selections (`NAME.selections.json`, beside `NAME.results.json`): selections a user saved
// under a name in the results view. Kept in their own file so the results are never rewritten; the
// view, the tree, the tidy table's `selections` column and the CLI's export all read this one definition.
import { z } from "zod";

export const SELECTIONS_FILE_VERSION = 1;

/** Longest name kept: a name is a column value and a tree label, not a note. */
export const SELECTION_NAME_MAX = 80;

export const namedSelectionSchema = z
  .object({
    name: z.string().trim().min(1).max(SELECTION_NAME_MAX).describe("The name the user gave it; unique in its file."),
    images: z.array(z.number().int().min(0)).describe("Indices into the results' images, ascending."),
    label: z.string().describe('What was picked, as the view said it ("cluster 2 of layer 1", "lasso on layer 2").'),
  })
  .strict();

export const selectionsFileSchema = z
  .object({
    version: z.literal(SELECTIONS_FILE_VERSION),
    /** The results file's name (not its path): a selections file copied beside other results is refused. */
    results: z.string().min(1),
    selections: z.array(namedSelectionSchema),
  })
  .strict();

export type NamedSelection = z.infer<typeof namedSelectionSchema>;
export type SelectionsFile = z.infer<typeof selectionsFileSchema>;
