// Serves the host's own results page (its CSP included) with the harness's head added, and the
// built webview bundle, on 127.0.0.1.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { resultsPageHtml } from "../../src/host/webviewHtml";

const NONCE = "mtqHarnessNonce";
const TYPES: Record<string, string> = { ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

export async function serveHarness(root: string): Promise<HarnessServer> {
  const head = readFileSync(join(root, "test", "browser", "harness-head.html"), "utf8").replaceAll("NONCE", NONCE);
  // The page's own origin plays the webview's cspSource.
  const page = resultsPageHtml({
    cspSource: "'self'",
    scriptUri: "/dist/webview.js",
    styleUri: "/dist/webview.css",
    nonce: NONCE,
    loading: "Loading…",
  }).replace("</head>", `${head}</head>`);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(page);
    }
    const file = /^\/dist\/webview\.(js|css)(\.map)?$/.test(path) ? join(root, path) : null;
    try {
      if (!file) throw new Error("not served");
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
