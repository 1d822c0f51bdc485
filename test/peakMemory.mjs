// Runs the built CLI (dist/cli.js) with this script's arguments, in this process, and on exit
// writes its peak resident memory in bytes (process.resourceUsage().maxRSS, which counts worker
// threads too) to the file named by MTQ_PEAK_MEMORY_FILE. test/hostile.test.ts spawns it, so the
// memory any file makes a run take is measured without a seam in the CLI itself.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";

const cli = join(import.meta.dirname, "..", "dist", "cli.js");
const report = process.env.MTQ_PEAK_MEMORY_FILE;
if (!report) throw new Error("set MTQ_PEAK_MEMORY_FILE to the file that receives the peak memory");
process.argv = [process.argv[0], cli, ...process.argv.slice(2)];
process.on("exit", () => writeFileSync(report, String(process.resourceUsage().maxRSS * 1024)));
// required, not imported: ESM loading would scan the 5 MB bundle for its exports and count that memory too.
createRequire(import.meta.url)(cli);
