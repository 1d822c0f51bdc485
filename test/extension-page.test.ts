// The installed extension's page: what the .vsix carries for it. Its README (dist/README.md,
// scripts/vsix-readme.ts) has no link VS Code's extension page cannot open, and every image it
// shows is packed; the icon is a 128x128 PNG; the CHANGELOG is packed and names this version;
// vsce packs it all without a warning.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { vsixReadme } from "../scripts/vsix-readme";
import { tempDir } from "./helpers";

const root = join(__dirname, "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string;
  icon: string;
  keywords: string[];
  scripts: Record<string, string>;
};
const readme = readFileSync(join(root, "README.md"), "utf8");
/** Every `[text](target)` and `![alt](target)`: [image?, text, target]. */
const links = (markdown: string) => [...markdown.matchAll(/(!?)\[((?:[^\][]|!\[[^\][]*\]\([^)]*\))*)\]\(([^)\s]+)\)/g)];

describe("the installed extension's page", () => {
  it("README: links into the repository become their text; images, anchors and web links stay", () => {
    assert.equal(
      vsixReadme("See [`examples/`](examples/), [REPRODUCTION.md](REPRODUCTION.md), [Speed](#speed), [code-server](https://x.org/a)."),
      "See `examples/`, REPRODUCTION.md, [Speed](#speed), [code-server](https://x.org/a).",
    );
    assert.equal(vsixReadme("![the view](media/screenshots/results-view.png)"), "![the view](media/screenshots/results-view.png)");
    const packed = vsixReadme(readme);
    const kept = links(packed);
    for (const [link, image, , target] of kept)
      assert.ok(image === "!" || /^(https?:|mailto:|#)/.test(target), `a link the extension page cannot open: ${link}`);
    // Nothing else changed: the same images and anchors, in order.
    const shown = (markdown: string) => links(markdown).map(([link]) => link);
    assert.deepEqual(
      shown(packed),
      shown(readme).filter((link) => link.startsWith("!") || /\]\((https?:|mailto:|#)/.test(link)),
    );
    assert.ok(links(readme).length > kept.length, "the README has links into the repository");
  });

  it("packs the README's images, the icon (a 128x128 PNG), the CHANGELOG of this version and LICENSE", () => {
    execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts", "vsix-readme.ts")], { cwd: root });
    // What `npm run package` packs, with the README it gives vsce.
    const packed = new Set(
      execFileSync(join(root, "node_modules", ".bin", "vsce"), ["ls", "--no-dependencies", "--readme-path", "dist/README.md"], {
        cwd: root,
        encoding: "utf8",
      })
        .trim()
        .split("\n"),
    );
    for (const [, image, , target] of links(readFileSync(join(root, "dist", "README.md"), "utf8")))
      if (image === "!" && !/^https?:/.test(target)) assert.ok(packed.has(target), `${target} is shown but not packed`);
    for (const file of ["dist/README.md", "CHANGELOG.md", "LICENSE", manifest.icon]) assert.ok(packed.has(file), `${file} is not packed`);
    assert.ok(!packed.has("README.md"), "one README only: the one for the extension's page");

    const icon = readFileSync(join(root, manifest.icon));
    assert.equal(icon.subarray(1, 4).toString(), "PNG");
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128]);
    assert.match(readFileSync(join(root, "CHANGELOG.md"), "utf8"), new RegExp(`^## ${manifest.version.replaceAll(".", "\\.")}$`, "m"));
    assert.ok(manifest.keywords.length > 0 && manifest.keywords.length <= 30, "vsce takes at most 30 keywords");
  });

  it("npm run package's vsce command packs with no warning and no question (stdin closed)", () => {
    const flags = /vsce package (.*)$/.exec(manifest.scripts.package)![1].split(" ");
    const vsix = join(tempDir(), "mtq.vsix");
    const packed = spawnSync(join(root, "node_modules", ".bin", "vsce"), ["package", ...flags, "--out", vsix], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = `${packed.stdout}${packed.stderr}`;
    assert.equal(packed.status, 0, output);
    assert.doesNotMatch(output, /WARNING|ERROR/, output);
    assert.ok(existsSync(vsix));
  });
});
