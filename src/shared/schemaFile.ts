import { experimentJsonSchema } from "./experiment";

/** The checked-in schema file's exact text, so a test can tell when it is stale. */
export function experimentSchemaText(): string {
  return `${JSON.stringify({ title: "MTQ Signatures experiment", ...experimentJsonSchema() }, null, 2)}\n`;
}
