// Which HTTP statuses a health check accepts: "2xx", "200", "200-299" or a comma list of those; absent
// means "2xx" (so a redirect is a failure). The pools' validation (services/health/pool-spec.ts)
// refuses a text that does not parse, naming the part; the probes (net/probes/http.ts) match with it.

const ITEM = /^(?:([1-5])xx|(\d{3})(?:-(\d{3}))?)$/;
export const DEFAULT_EXPECT = "2xx";
const MAX_EXPECT = 256;

/** The [lo, hi] ranges `expect` lists, or what is wrong with it. */
export function statusRanges(expect: string): [number, number][] | string {
  if (expect.length > MAX_EXPECT) return `must be at most ${MAX_EXPECT} characters`;
  const ranges: [number, number][] = [];
  for (const item of expect.split(",")) {
    const m = ITEM.exec(item.trim());
    const lo = m?.[1] !== undefined ? Number(m[1]) * 100 : Number(m?.[2]);
    const hi = m?.[1] !== undefined ? lo + 99 : Number(m?.[3] ?? m?.[2]);
    if (!(lo >= 100 && hi <= 599 && lo <= hi)) {
      return `${JSON.stringify(item.slice(0, 20))} is not a status code (200), a range (200-299) or a class (2xx) of codes 100 to 599`;
    }
    ranges.push([lo, hi]);
  }
  return ranges;
}

/** Whether `status` is accepted; a text that does not parse accepts nothing. */
export function statusAccepted(expect: string | undefined, status: number): boolean {
  const ranges = statusRanges(expect ?? DEFAULT_EXPECT);
  return typeof ranges !== "string" && ranges.some(([lo, hi]) => status >= lo && status <= hi);
}
