import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exportBytes } from "../src/host/exportFile";
import { newNonce, resultsPageHtml } from "../src/host/webviewHtml";

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
});
