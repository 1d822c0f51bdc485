import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exportBytes } from "../src/host/exportFile";
import { selectionOf } from "../src/host/postedSelection";
import { newNonce, resultsPageHtml } from "../src/host/webviewHtml";
import { Bitset } from "../webview/bitset";

describe("the results view's page and exports", () => {
  it("has the strict CSP with a nonce, the bundle's stylesheet and script, and the root element", () => {
    const nonce = newNonce();
    assert.match(nonce, /^[A-Za-z0-9_-]{24}$/);
    assert.notEqual(newNonce(), nonce);
    const html = resultsPageHtml({
      cspSource: "https://file+.vscode-resource.vscode-cdn.net",
      scriptUri: "https://x/dist/webview.js",
      styleUri: "https://x/dist/webview.css",
      nonce,
      loading: "Loading <b>x</b>&.results.json…",
    });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1];
    const src = "https://file+.vscode-resource.vscode-cdn.net";
    assert.equal(
      csp,
      `default-src 'none'; img-src ${src} data: blob:; style-src ${src} 'nonce-${nonce}'; script-src 'nonce-${nonce}'; font-src ${src}`,
    );
    assert.ok(html.includes(`<link rel="stylesheet" href="https://x/dist/webview.css">`));
    // Until the bundle draws, the page says what it loads, the file's name as text.
    assert.ok(
      html.includes(
        `<div id="mtq-root"><p class="mtq-loading" role="status">Loading &#60;b&#62;x&#60;/b&#62;&#38;.results.json…</p></div>\n` +
          `<script nonce="${nonce}" src="https://x/dist/webview.js"></script>`,
      ),
    );
    assert.equal(html.match(/<script/g)!.length, 1, "no inline script");
  });

  it("saves SVG as text and PNG from its data URL", () => {
    assert.equal(Buffer.from(exportBytes("svg", "<svg>é</svg>")).toString(), "<svg>é</svg>");
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    assert.deepEqual(Buffer.from(exportBytes("png", `data:image/png;base64,${png.toString("base64")}`)), png);
    assert.throws(() => exportBytes("png", "not a data url"), /data URL/);
  });

  it("reads a selection the view posts as a bitset's base64 or listed, and refuses one that is not of its results", () => {
    const images = [0, 5, 31, 32, 33, 640, 999_999];
    const bits = Bitset.of(1_000_000, images).toBase64();
    assert.equal(bits.length, 166_668, "a million images' bitset in 167 kB of text");
    assert.deepEqual(selectionOf({ label: "lasso on layer 1", bits }, 1_000_000), { images, label: "lasso on layer 1" });
    // Every image but the last word's padding: none past the count.
    const all = new Bitset(70);
    all.words.fill(0xffffffff);
    assert.deepEqual(selectionOf({ label: "all", bits: all.toBase64() }, 70)!.images, [...Array(70).keys()]);
    assert.deepEqual(selectionOf({ label: "cluster 2 of layer 1", images: [3, 4] }, 10), { images: [3, 4], label: "cluster 2 of layer 1" });
    assert.equal(selectionOf(null, 10), null);
    assert.equal(selectionOf({ label: "another file's", bits }, 70_000), null);
    assert.equal(selectionOf({ label: "past the count", images: [3, 10] }, 10), null);
    assert.equal(selectionOf({ label: "not numbers", images: ["3"] } as never, 10), null);
    // Not base64 (the view's Bitset.fromBase64 refuses it too), of another length, or empty: none.
    const junk = `${bits.slice(0, 100)}!${bits.slice(101)}`;
    assert.equal(junk.length, bits.length);
    assert.equal(selectionOf({ label: "junk", bits: junk }, 1_000_000), null);
    assert.equal(selectionOf({ label: "longer", bits: `${bits}AAAA` }, 1_000_000), null);
    assert.equal(selectionOf({ label: "huge", bits: "A".repeat(200 * 2 ** 20) }, 1_000_000), null);
    assert.equal(selectionOf({ label: "empty", bits: new Bitset(1_000_000).toBase64() }, 1_000_000), null);
  });
});
