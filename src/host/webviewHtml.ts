// The results webview's page: a strict Content-Security-Policy with a per-load nonce, the
// webview bundle's stylesheet and script, and the root element the bundle renders into, saying what
// it loads until the bundle draws (a large results file takes seconds to read).
import { randomBytes } from "node:crypto";

export interface WebviewPage {
  /** `webview.cspSource`: the origin the webview loads extension resources from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  /** What the panel is loading ("Loading ones-vs-sevens.results.json…"), shown until the view draws: never a blank editor. */
  loading: string;
}

/** Text from a file name, safe inside HTML: the page shows it as text. */
function htmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function newNonce(): string {
  return randomBytes(18).toString("base64url");
}

export function resultsPageHtml({ cspSource, scriptUri, styleUri, nonce, loading }: WebviewPage): string {
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>MTQ results</title>
</head>
<body>
<div id="mtq-root"><p class="mtq-loading" role="status">${htmlText(loading)}</p></div>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>
`;
}
