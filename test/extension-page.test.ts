// The installed extension's page: what the .vsix carries for it. Its README (dist/README.md,
// scripts/vsix-readme.ts) has no link VS Code's extension page cannot open and carries its images
// (e2e/walkthrough.e2e.ts sees them drawn there); the icon is a 128x128 PNG; the CHANGELOG is
// packed and names this version; vsce packs it all without a warning.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
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
  it("README: links into the repository become their text, images their bytes as data: URLs; anchors and web links stay", () => {
    assert.equal(
      vsixReadme(
        "See [`examples/`](examples/), [REPRODUCTION.md](REPRODUCTION.md), [Speed](#speed), [code-server](https://x.org/a).",
        root,
      ),
      "See `examples/`, REPRODUCTION.md, [Speed](#speed), [code-server](https://x.org/a).",
    );
    assert.equal(
      vsixReadme("![the icon](media/icon.png)", root),
      `![the icon](data:image/png;base64,${readFileSync(join(root, "media", "icon.png")).toString("base64")})`,
    );
    assert.throws(() => vsixReadme("![icon](media/mtq.svg)", root), /media\/mtq\.svg is not a PNG, JPEG or GIF/);
    const packed = vsixReadme(readme, root);
    const before = links(readme);
    const after = links(packed);
    for (const [link, image, , target] of after)
      assert.ok(image === "!" ? target.startsWith("data:image/png;base64,") : /^(https?:|mailto:|#)/.test(target), `${link.slice(0, 80)}`);
    // The same images, in order, each the bytes of its file; the same web links and anchors.
    const images = (list: typeof before) => list.filter(([, image]) => image === "!");
    assert.deepEqual(
      images(after).map(([, , alt, data]) => [alt, Buffer.from(data.replace(/^data:image\/png;base64,/, ""), "base64")]),
      images(before).map(([, , alt, file]) => [alt, readFileSync(join(root, file))]),
    );
    const web = (list: typeof before) =>
      list.filter(([, image, , target]) => !image && /^(https?:|mailto:|#)/.test(target)).map(([link]) => link);
    assert.deepEqual(web(after), web(before));
    assert.ok(before.length > after.length, "the README has links into the repository");
  });

  it("packs the icon (a 128x128 PNG), the walkthrough's images, the CHANGELOG of this version and LICENSE; one README", () => {
    execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts", "vsix-readme.ts")], { cwd: root });
    // What `npm run package` packs, with the README it gives vsce.
    const packed = execFileSync(
      join(root, "node_modules", ".bin", "vsce"),
      ["ls", "--no-dependencies", "--readme-path", "dist/README.md"],
      {
        cwd: root,
        encoding: "utf8",
      },
    )
      .trim()
      .split("\n");
    for (const file of ["dist/README.md", "CHANGELOG.md", "LICENSE", manifest.icon])
      assert.ok(packed.includes(file), `${file} is not packed`);
    assert.ok(!packed.includes("README.md"), "one README only: the one for the extension's page");
    // The README's images are inside it: media/ holds only what the extension itself shows.
    assert.deepEqual(
      packed.filter((f) => f.startsWith("media/")).sort(),
      ["media/icon.png", "media/mtq.svg", ...readdirSync(join(root, "media", "walkthrough")).map((f) => `media/walkthrough/${f}`)].sort(),
    );

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
