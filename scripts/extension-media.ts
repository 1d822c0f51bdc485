// `npx tsx scripts/extension-media.ts`: the images of the installed extension's page and of its
// walkthrough, drawn in Debian's chromium from what the repository already holds:
// - media/icon.png, 128x128: media/mtq.svg (the activity bar's icon) in white on the blue of
//   the digit 1 (webview/colors.ts), the icon the Extensions view and the extension's page show;
// - media/walkthrough/*.png: crops of the README's screenshots (media/screenshots/), scaled to
//   900 pixels wide at most, one per step of the walkthrough (package.json's contributes.walkthroughs).
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "../test/browser/browser";

const root = resolve(__dirname, "..");
const media = join(root, "media");
const MAX_WIDTH = 900;

/** The icon's background: digit 1's colour in the views. */
const ICON_BACKGROUND = "#4e79a7";

/** A part of a README screenshot, in its own pixels: [x, y, width, height]. */
const CROPS: { out: string; from: string; crop: [number, number, number, number] }[] = [
  // The experiment file in the editor, a misspelt field underlined and named in Problems.
  { out: "new-experiment.png", from: "problems.png", crop: [345, 35, 1255, 725] },
  // A trained run: the clusters tree beside the results view.
  { out: "train-and-analyze.png", from: "results-and-tree.png", crop: [0, 0, 1600, 1000] },
  // The maps of both layers above the Sankey.
  { out: "maps-and-sankey.png", from: "results-view.png", crop: [0, 0, 1010, 950] },
  // The findings' injected digits and the outliers list.
  { out: "outliers.png", from: "results-view.png", crop: [1016, 699, 384, 531] },
  // Two runs side by side.
  { out: "compare.png", from: "compare.png", crop: [345, 35, 1255, 700] },
];

async function shoot(page: Page, html: string, width: number, height: number, out: string): Promise<void> {
  await page.setViewportSize({ width, height });
  await page.setContent(html);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width, height }, omitBackground: true });
  console.log(`${out.replace(`${root}/`, "")}: ${width}x${height}`);
}

const dataUrl = (bytes: Buffer | string, type: string) => `data:${type};base64,${Buffer.from(bytes).toString("base64")}`;

async function main(): Promise<void> {
  mkdirSync(join(media, "walkthrough"), { recursive: true });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const body = "<style>html,body{margin:0;overflow:hidden;background:transparent}</style>";
    // The 24-unit icon drawn at 88 of 128 pixels, on a rounded square.
    const icon = dataUrl(readFileSync(join(media, "mtq.svg"), "utf8").replaceAll("currentColor", "white"), "image/svg+xml");
    await shoot(
      page,
      `${body}<div style="width:128px;height:128px;border-radius:24px;background:${ICON_BACKGROUND};display:grid;place-items:center">` +
        `<img src="${icon}" width="88" height="88"></div>`,
      128,
      128,
      join(media, "icon.png"),
    );
    for (const { out, from, crop } of CROPS) {
      const [x, y, w, h] = crop;
      const scale = Math.min(1, MAX_WIDTH / w);
      const width = Math.round(w * scale);
      const height = Math.round(h * scale);
      // The whole screenshot scaled, shifted so the crop's corner is the page's.
      const screenshot = dataUrl(readFileSync(join(media, "screenshots", from)), "image/png");
      await shoot(
        page,
        `${body}<div style="width:${width}px;height:${height}px;overflow:hidden;position:relative">` +
          `<img src="${screenshot}" style="position:absolute;left:${-x * scale}px;top:${-y * scale}px;` +
          `transform-origin:0 0;transform:scale(${scale})"></div>`,
        width,
        height,
        join(media, "walkthrough", out),
      );
    }
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
