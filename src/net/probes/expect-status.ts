// Whether an HTTP status is accepted by a check's `expect`: "2xx", "200", "200-299" or a comma list
// of those; absent means "2xx". A part that does not parse accepts nothing (the pool's validation
// rejects such specs before they reach a probe). services/health/pool-spec.ts has the validating
// parser (parseExpect); this small matcher keeps net/ independent of it.

export function expectStatus(expect: string | undefined, status: number): boolean {
  return (expect ?? "2xx").split(",").some((part) => matches(part.trim().toLowerCase(), status));
}

function matches(part: string, status: number): boolean {
  const klass = /^([1-5])xx$/.exec(part);
  if (klass !== null) return Math.floor(status / 100) === Number(klass[1]);
  const range = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
  if (range === null) return false;
  const low = Number(range[1]);
  const high = range[2] === undefined ? low : Number(range[2]);
  return status >= low && status <= high;
}
