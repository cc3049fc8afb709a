// Steering "fastest": which member leads, with hysteresis so near-equal members never alternate
// (docs/pools.md "Steering policies"). Pure: the publisher keeps the LeaderState between rounds (one
// round per evaluation) and passes the usable members with their smoothed RTTs.
//
// Promises: a leader is replaced only by a challenger that beats its RTT by at least
// max(RATIO × leader's RTT, MIN_GAIN_MS) in ROUNDS consecutive rounds, the same challenger each time;
// a leader that is gone or has no RTT while others have one is replaced at once by the fastest; with
// no RTT at all the first candidate (failover order) leads. Ties go to failover order.

/** Consecutive winning rounds a challenger needs. */
export const ROUNDS = 3;
/** A challenger must be faster by at least this share of the leader's RTT… */
export const RATIO = 0.2;
/** …and by at least this many ms. */
export const MIN_GAIN_MS = 5;

export interface LeaderState {
  readonly leader?: string;
  readonly challenger?: string;
  /** Consecutive rounds the challenger has won. */
  readonly rounds: number;
}

interface Candidate {
  readonly id: string;
  readonly rttMs?: number;
}

/** `candidates`: the usable members in failover order (priority, then member order). */
export function chooseFastest(candidates: readonly Candidate[], prev: LeaderState): LeaderState {
  const timed = candidates.filter((c): c is Required<Candidate> => hasRtt(c.rttMs));
  const fastest = lowest(timed);
  if (fastest === undefined) return { leader: candidates[0]?.id, rounds: 0 };
  const leader = candidates.find((c) => c.id === prev.leader);
  if (leader === undefined || !hasRtt(leader.rttMs)) return { leader: fastest.id, rounds: 0 };
  const best = lowest(timed.filter((c) => c.id !== leader.id));
  const needed = Math.max(RATIO * leader.rttMs, MIN_GAIN_MS);
  if (best === undefined || leader.rttMs - best.rttMs < needed) return { leader: leader.id, rounds: 0 };
  const rounds = best.id === prev.challenger ? prev.rounds + 1 : 1;
  return rounds >= ROUNDS
    ? { leader: best.id, rounds: 0 }
    : { leader: leader.id, challenger: best.id, rounds };
}

function hasRtt(rtt: number | undefined): rtt is number {
  return rtt !== undefined && Number.isFinite(rtt) && rtt >= 0;
}

/** The candidate with the lowest RTT; the first of equals (failover order). */
function lowest(timed: readonly Required<Candidate>[]): Required<Candidate> | undefined {
  let best: Required<Candidate> | undefined;
  for (const c of timed) if (best === undefined || c.rttMs < best.rttMs) best = c;
  return best;
}
