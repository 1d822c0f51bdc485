// Serves the harness page and the built webview bundle on 127.0.0.1, with the panel's CSP.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";

const NONCE = "mtqHarnessNonce";
/** The host's policy (src/host/webviewHtml.ts) with the page's own origin as `cspSource`. */
const CSP = `default-src 'none'; img-src 'self' data: blob:; style-src 'self' 'nonce-${NONCE}'; script-src 'nonce-${NONCE}'`;
const TYPES: Record<string, string> = { ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

export async function serveHarness(root: string): Promise<HarnessServer> {
  const page = readFileSync(join(root, "test", "browser", "harness.html"), "utf8").replaceAll("NONCE", NONCE);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP });
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
