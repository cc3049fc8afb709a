// The pages' files (web/): plain HTML, ES modules and CSS served as written, no build step. The reader
// is injected (src/cli reads them from disk), so the apps stay runtime-free.

import type { Context, Env, Hono } from "hono";

/**
 * Resolves a path relative to web/ ("admin/index.html", "shared/api.js") to the file's bytes, or
 * undefined when there is no such file. Callers pass only paths that passed `assetPath`.
 */
export type AssetReader = (path: string) => Promise<Uint8Array | undefined>;

const TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
};

/** No inline script or style, nothing from elsewhere, never framed. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-cache",
};

/**
 * The web/ path for a request path under a mounted folder, or undefined when it is not a plain file
 * name (no "..", no dot files, no encoded separators, a known extension). "" and "/" mean index.html.
 */
export function assetPath(folder: string, rest: string): string | undefined {
  const rel = rest === "" || rest === "/" ? "index.html" : rest.replace(/^\//, "");
  if (!/^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*\.[a-z]{2,4}$/.test(rel)) return undefined;
  const ext = rel.slice(rel.lastIndexOf(".") + 1);
  return TYPES[ext] === undefined ? undefined : `${folder}/${rel}`;
}

async function send<E extends Env>(c: Context<E>, read: AssetReader, path: string | undefined) {
  const body = path === undefined ? undefined : await read(path);
  if (path === undefined || body === undefined) return undefined;
  const type = TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";
  return c.body(body as Uint8Array<ArrayBuffer>, 200, { ...PAGE_HEADERS, "content-type": type });
}

/**
 * Serves web/<folder>/* under `/<folder>/` (and web/shared/* under /shared/, which every page imports).
 * `/<folder>` redirects to `/<folder>/`. Unknown files fall through to the app's notFound.
 */
export function registerPages<E extends Env>(app: Hono<E>, read: AssetReader, folder: string): void {
  app.get(`/${folder}`, (c) => c.redirect(`/${folder}/`, 301));
  for (const mount of [folder, "shared"]) {
    app.get(`/${mount}/*`, async (c, next) => {
      const rest = c.req.path.slice(mount.length + 1);
      return (await send(c, read, assetPath(mount, rest))) ?? next();
    });
  }
}
