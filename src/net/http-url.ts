// The URL setting of HTTP targets and providers: absolute http(s), and never credentials in it (they would end up
// in proxy and server logs; every target has its own secret settings instead).

import { z } from "zod";

export function httpUrlSetting(opts: { allowQuery: boolean }) {
  return z.string({ error: "expected an http:// or https:// URL" }).transform((s, ctx) => {
    let url: URL;
    try {
      url = new URL(s.trim());
    } catch {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not a URL` });
      return z.NEVER;
    }
    const problem =
      url.protocol !== "http:" && url.protocol !== "https:"
        ? "expected an http:// or https:// URL"
        : url.username !== "" || url.password !== ""
          ? "credentials do not belong in the URL: use the username/password or token settings"
          : url.hash !== ""
            ? "a URL fragment (#…) is not allowed"
            : !opts.allowQuery && url.search !== ""
              ? "a query string is not allowed here"
              : undefined;
    if (problem !== undefined) {
      ctx.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    }
    return url.toString();
  });
}
