// HTTP-01: the pending challenges of this process, served at /.well-known/acme-challenge/<token> by the
// HTTP listeners (http/routes/acme-challenge.ts reads them through `lookup`). Only the node that
// orders knows its tokens: with several nodes behind one name, the CA's request must reach that node
// (docs/deploy/acme.md; dns-01 has no such limit).

import type { ChallengeSolver } from "./ports.js";

export interface HttpChallenges extends ChallengeSolver {
  /** The key authorization for `token`, or undefined when no challenge is pending under it. */
  lookup(token: string): string | undefined;
}

export function createHttpChallenges(): HttpChallenges {
  const pending = new Map<string, string>();
  return {
    present(task) {
      pending.set(task.token, task.value);
      return Promise.resolve();
    },
    cleanUp(task) {
      pending.delete(task.token);
      return Promise.resolve();
    },
    lookup: (token) => pending.get(token),
  };
}
