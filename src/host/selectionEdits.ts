// Saving and deleting a named selection, without VS Code: what is wrong with a name the user types
// (checked as they type), and the list once a selection is saved under it or deleted.
import { LIST_SEPARATOR } from "../results/table";
import type { Selection } from "../shared/protocol";
import { SELECTION_NAME_MAX, type NamedSelection } from "../shared/selections";

/** What the name box says under a typed name: `blocking` when it cannot be saved at all, else a warning. */
export interface NameNote {
  message: string;
  blocking: boolean;
}

/** Why `typed` cannot name a selection, or that it replaces one; undefined for a new, valid name. */
export function nameNote(typed: string, saved: readonly NamedSelection[]): NameNote | undefined {
  const name = typed.trim();
  if (!name) return { message: "Give the selection a name.", blocking: true };
  if (name.length > SELECTION_NAME_MAX)
    return { message: `A name is at most ${SELECTION_NAME_MAX} characters (this one has ${name.length}).`, blocking: true };
  // The table's `selections` cell lists an image's names with it: a name holding it would read as two.
  if (name.includes(LIST_SEPARATOR))
    return { message: `A name cannot hold "${LIST_SEPARATOR}": the table's selections column separates names with it.`, blocking: true };
  const taken = saved.find((s) => s.name === name);
  if (taken) return { message: `"${name}" is already saved (${taken.images.length} images): saving replaces it.`, blocking: false };
  return undefined;
}

/** A name not yet used, to offer in the name box: the selection's own label, numbered when taken. */
export function suggestedName(selection: Selection, saved: readonly NamedSelection[]): string {
  const base =
    selection.label
      .replaceAll(LIST_SEPARATOR, ", ")
      .trim()
      .slice(0, SELECTION_NAME_MAX - 4) || "selection";
  const taken = new Set(saved.map((s) => s.name));
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base} ${n}`)) n++;
  return `${base} ${n}`;
}

/** The list with `selection` saved as `name`: in place of the one of that name, else last. */
export function withSelection(saved: readonly NamedSelection[], name: string, selection: Selection): NamedSelection[] {
  const named: NamedSelection = {
    name: name.trim(),
    images: [...new Set(selection.images)].sort((a, b) => a - b),
    label: selection.label,
  };
  const at = saved.findIndex((s) => s.name === named.name);
  return at < 0 ? [...saved, named] : saved.map((s, i) => (i === at ? named : s));
}

/** The list without the selection named `name`. */
export function withoutSelection(saved: readonly NamedSelection[], name: string): NamedSelection[] {
  return saved.filter((s) => s.name !== name);
}
