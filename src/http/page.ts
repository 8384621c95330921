/**
 * The status page for people: one self-contained HTML document (inline CSS
 * and script, nothing fetched from elsewhere) that `GET /` and `GET /health`
 * serve when the browser prefers `text/html`, under a strict
 * Content-Security-Policy that allows only that inline style and script (by
 * their SHA-256 hashes) and requests to vitals itself.
 *
 * The document is the same bytes for everyone: the script fills it in from
 * `/health/history` and polls it, so the page never holds a status or a
 * detail in its HTML. Only this vitals' name (`server.name` or its default)
 * is written in, HTML-escaped, in its title and header.
 *
 * @module
 */

import { PAGE_SCRIPT } from "./_page_script.ts";
import { PAGE_STYLE } from "./_page_style.ts";
import { respond } from "./_respond.ts";

/** The page's content type. */
export const HTML_CONTENT_TYPE = "text/html; charset=utf-8";

/**
 * Whether a request asks for the page: no `?format=`, and `text/html` is the
 * most preferred type in `Accept` (ties go to the earlier type, as in
 * `negotiate`). A browser's `text/html,...` does; `*\/*`, no `Accept` and
 * `application/json, text/html` do not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefersHtml } from "./page.ts";
 * assert.ok(prefersHtml("text/html,application/xhtml+xml,*\/*;q=0.8", ""));
 * assert.ok(!prefersHtml("*\/*", ""));
 * assert.ok(!prefersHtml("text/html", "format=json"));
 * ```
 */
export function prefersHtml(accept: string | null, query: string): boolean {
  if (!accept || !/text\/html/i.test(accept) || query.includes("format=")) return false;
  let best = "";
  let bestQ = 0;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (weight > bestQ) {
      best = type.trim().toLowerCase();
      bestQ = weight;
    }
  }
  return best === "text/html";
}

/** `text` as HTML text or an attribute value: `&`, `<`, `>`, `"` and `'` escaped. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The page's title for `name`; the script puts the status before it. */
const titleOf = (name: string) => `${name} \u00b7 vitals`;

const body = (name: string) =>
  `<header>
<h1><span id="name">${escapeHtml(name)}</span> <span id="overall" aria-live="polite"></span></h1>
<p id="updated" class="muted">Loading\u2026</p>
</header>
<p id="maintenance" class="maint" role="status" hidden></p>
<main>
<noscript><p>This page needs JavaScript. The same data is served as JSON at /health/history.</p></noscript>
<section aria-labelledby="groups-heading">
<h2 id="groups-heading">Probe groups</h2>
<ul id="groups" class="groups"></ul>
</section>
<section id="notes-section" aria-labelledby="notes-heading" hidden>
<h2 id="notes-heading">Details</h2>
<ul id="notes"></ul>
</section>
<section aria-labelledby="checks-heading">
<h2 id="checks-heading">Checks <span id="checks-count" class="muted"></span></h2>
<p id="restricted" hidden>Details are hidden: this vitals has a details token. Paste it to see every check.</p>
<p id="rejected" hidden><strong>That token was not accepted.</strong></p>
<form id="token-form" hidden>
<label for="token">Details token</label>
<input id="token" type="password" autocomplete="off" spellcheck="false">
<button type="submit">Show details</button>
</form>
<button id="forget" type="button" class="plain" hidden>Forget the token</button>
<div id="checks" class="checks"></div>
</section>
</main>`;

/** The page's HTML and the headers that go with it. */
export interface Page {
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The page's Content-Security-Policy: its inline script and style by their hashes. */
async function policy(): Promise<string> {
  const [script, style] = await Promise.all([sha256(PAGE_SCRIPT), sha256(PAGE_STYLE)]);
  return [
    "default-src 'none'",
    `script-src 'sha256-${script}'`,
    `style-src 'sha256-${style}'`,
    "connect-src 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

let csp: Promise<string> | undefined;

async function build(name: string): Promise<Page> {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(titleOf(name))}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${body(name)}
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
  return {
    html,
    headers: Object.freeze({
      "content-security-policy": await (csp ??= policy()),
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
    }),
  };
}

let page: { readonly name: string; readonly page: Promise<Page> } | undefined;

/**
 * The page titled `name`, built (and its hashes computed) on first use, then
 * the same object every time until the name changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusPage } from "./page.ts";
 * const { html, headers } = await statusPage("checkout-7f9c");
 * assert.ok(html.startsWith("<!doctype html>"));
 * assert.ok(html.includes("<title>checkout-7f9c \u00b7 vitals</title>"));
 * assert.match(headers["content-security-policy"]!, /script-src 'sha256-/);
 * ```
 */
export function statusPage(name: string): Promise<Page> {
  if (page?.name !== name) page = { name, page: build(name) };
  return page.page;
}

/** The status page titled `name`, answered with `status` (and the page's headers). */
export async function pageResponse(
  status: number,
  method: string,
  name: string,
): Promise<Response> {
  const { html, headers } = await statusPage(name);
  return respond(html, status, method, HTML_CONTENT_TYPE, headers);
}
