// `tsx scripts/vsix-readme.ts`: the README the .vsix carries, dist/README.md (`npm run package`
// gives it to vsce as --readme-path). On an installed extension's page, VS Code 1.100's extension
// editor opens only http, https and mailto links, and this project has no public repository to
// point a relative link at: a link into the repository (examples/, REPRODUCTION.md, scripts/)
// would be dead there, so it becomes its text. Images (media/, in the .vsix: the page shows them
// from the installed extension's folder), in-page anchors (#speed) and web links stay.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** `[text](target)`, not an image's `![alt](...)`; the text may hold one inline image. */
const LINK = /(?<!!)\[((?:[^\][]|!\[[^\][]*\]\([^)]*\))*)\]\(([^)\s]+)\)/g;

/** The README with its links into the repository replaced by their text. */
export function vsixReadme(readme: string): string {
  return readme.replace(LINK, (link, text: string, target: string) => (/^(https?:|mailto:|#)/i.test(target) ? link : text));
}

if (require.main === module) {
  const root = resolve(__dirname, "..");
  writeFileSync(join(root, "dist", "README.md"), vsixReadme(readFileSync(join(root, "README.md"), "utf8")));
}
