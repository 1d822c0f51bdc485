// `tsx scripts/vsix-readme.ts`: the README the .vsix carries, dist/README.md (`npm run package`
// gives it to vsce as --readme-path). The project has no public repository to point relative
// links and images at, and on an installed extension's page VS Code 1.100 (desktop and
// code-server alike) opens only http, https and mailto links, and resolves a relative image
// against its own workbench, not the extension's folder (so it shows broken). There:
// - a link into the repository (examples/, REPRODUCTION.md, scripts/) becomes its text;
// - an image is written into the page as a data: URL (the page's CSP allows `img-src data:`);
// - in-page anchors (#speed) and web links stay.
import { readFileSync, writeFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";

/** `[text](target)`, not an image's `![alt](...)`; the text may hold one inline image. */
const LINK = /(?<!!)\[((?:[^\][]|!\[[^\][]*\]\([^)]*\))*)\]\(([^)\s]+)\)/g;
const IMAGE = /!\[([^\][]*)\]\(([^)\s]+)\)/g;
const WEB = /^(https?:|mailto:|#)/i;
/** vsce refuses SVG images that are not from a trusted host, data: URLs included. */
const IMAGE_TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif" };

/** The README as the installed extension's page can show it; `root`: the folder its relative paths start from. */
export function vsixReadme(readme: string, root: string): string {
  return readme
    .replace(IMAGE, (image, alt: string, target: string) => {
      if (WEB.test(target)) return image;
      const type = IMAGE_TYPES[extname(target).toLowerCase()];
      if (!type) throw new Error(`README.md: the image ${target} is not a PNG, JPEG or GIF, which the .vsix's README can carry`);
      return `![${alt}](data:${type};base64,${readFileSync(join(root, target)).toString("base64")})`;
    })
    .replace(LINK, (link, text: string, target: string) => (WEB.test(target) ? link : text));
}

if (require.main === module) {
  const root = resolve(__dirname, "..");
  writeFileSync(join(root, "dist", "README.md"), vsixReadme(readFileSync(join(root, "README.md"), "utf8"), root));
}
