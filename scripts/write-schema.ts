// Writes schema/mtq.schema.json from the zod definition (the manifest's jsonValidation points at it).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { experimentSchemaText } from "../src/shared/schemaFile";

const file = join(__dirname, "..", "schema", "mtq.schema.json");
writeFileSync(file, experimentSchemaText());
console.log(`wrote ${file}`);
