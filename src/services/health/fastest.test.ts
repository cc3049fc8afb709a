import { describe, expect, it } from "vitest";
import { chooseFastest, MIN_GAIN_MS, RATIO, ROUNDS, type LeaderState } from "./fastest.js";

const START: LeaderState = { rounds: 0 };

/** Runs rounds with the RTTs given per round; returns the leader after each. */
function leaders(rounds: readonly (readonly { id: string; rttMs?: number }[])[], prev: LeaderState = START) {
  let state = prev;
  return rounds.map((candidates) => {
    state = chooseFastest(candidates, state);
    return state.leader;
  });
}

describe("chooseFastest", () => {
  it("exports its thresholds", () => {
    expect([ROUNDS, RATIO, MIN_GAIN_MS]).toEqual([3, 0.2, 5]);
  });

  it.each([
    ["no candidates", [], START, { rounds: 0 }],
    ["no RTT at all → the first candidate", [{ id: "a" }, { id: "b" }], START, { leader: "a", rounds: 0 }],
    [
      "no RTT at all, even with a previous leader",
      [{ id: "a" }, { id: "b" }],
      { leader: "b", challenger: "a", rounds: 2 },
      { leader: "a", rounds: 0 },
    ],
    [
      "no leader yet → the lowest RTT",
      [
        { id: "a", rttMs: 30 },
        { id: "b", rttMs: 10 },
        { id: "c", rttMs: 20 },
      ],
      START,
      { leader: "b", rounds: 0 },
    ],
    [
      "ties go to failover order",
      [
        { id: "a", rttMs: 10 },
        { id: "b", rttMs: 10 },
      ],
      START,
      { leader: "a", rounds: 0 },
    ],
    [
      "the leader is gone → the fastest at once",
      [
        { id: "a", rttMs: 30 },
        { id: "b", rttMs: 10 },
      ],
      { leader: "gone", challenger: "a", rounds: 2 },
      { leader: "b", rounds: 0 },
    ],
    [
      "a leader without RTT while others have it → replaced at once",
      [{ id: "a" }, { id: "b", rttMs: 50 }],
      { leader: "a", rounds: 0 },
      { leader: "b", rounds: 0 },
    ],
    [
      "a member without RTT is never the challenger",
      [{ id: "a", rttMs: 50 }, { id: "b" }],
      { leader: "a", rounds: 0 },
      { leader: "a", rounds: 0 },
    ],
    [
      "a challenger 20 % faster counts a round",
      [
        { id: "a", rttMs: 100 },
        { id: "b", rttMs: 80 },
      ],
      { leader: "a", rounds: 0 },
      { leader: "a", challenger: "b", rounds: 1 },
    ],
    [
      "a challenger just under 20 % faster resets",
      [
        { id: "a", rttMs: 100 },
        { id: "b", rttMs: 80.5 },
      ],
      { leader: "a", challenger: "b", rounds: 2 },
      { leader: "a", rounds: 0 },
    ],
    [
      "on a fast leader the gain must be at least 5 ms",
      [
        { id: "a", rttMs: 10 },
        { id: "b", rttMs: 6 },
      ],
      { leader: "a", rounds: 0 },
      { leader: "a", rounds: 0 },
    ],
    [
      "5 ms is enough on a fast leader",
      [
        { id: "a", rttMs: 10 },
        { id: "b", rttMs: 5 },
      ],
      { leader: "a", rounds: 0 },
      { leader: "a", challenger: "b", rounds: 1 },
    ],
    [
      "another best challenger starts over at one round",
      [
        { id: "a", rttMs: 100 },
        { id: "b", rttMs: 70 },
        { id: "c", rttMs: 50 },
      ],
      { leader: "a", challenger: "b", rounds: 2 },
      { leader: "a", challenger: "c", rounds: 1 },
    ],
  ] as const)("%s", (_, candidates, prev, expected) => {
    expect(chooseFastest(candidates, prev)).toEqual(expected);
  });

  it("a clear winner takes over after exactly 3 rounds, then stays", () => {
    const round = [
      { id: "a", rttMs: 100 },
      { id: "b", rttMs: 40 },
    ];
    expect(leaders([round, round, round, round, round], { leader: "a", rounds: 0 })).toEqual([
      "a",
      "a",
      "b",
      "b",
      "b",
    ]);
  });

  it("a winner that slips for one round must win 3 rounds again", () => {
    const wins = [
      { id: "a", rttMs: 100 },
      { id: "b", rttMs: 40 },
    ];
    const slips = [
      { id: "a", rttMs: 100 },
      { id: "b", rttMs: 90 },
    ];
    expect(leaders([wins, wins, slips, wins, wins, wins], { leader: "a", rounds: 0 })).toEqual([
      "a",
      "a",
      "a",
      "a",
      "a",
      "b",
    ]);
  });

  it("near-equal members never alternate", () => {
    // Two members whose smoothed RTTs cross back and forth within 15 % of each other.
    const rounds = Array.from({ length: 200 }, (_, i) => [
      { id: "a", rttMs: 50 + 3 * Math.sin(i / 3) },
      { id: "b", rttMs: 50 - 3 * Math.sin(i / 3) },
      { id: "c", rttMs: 52 + 2 * Math.cos(i / 5) },
    ]);
    const seen = leaders(rounds);
    expect(new Set(seen)).toEqual(new Set([seen[0]]));
  });

  it("alternating challengers never take over", () => {
    const b = [
      { id: "a", rttMs: 100 },
      { id: "b", rttMs: 40 },
      { id: "c", rttMs: 60 },
    ];
    const c = [
      { id: "a", rttMs: 100 },
      { id: "b", rttMs: 60 },
      { id: "c", rttMs: 40 },
    ];
    expect(leaders([b, c, b, c, b, c, b, c], { leader: "a", rounds: 0 })).toEqual(Array(8).fill("a"));
  });
});
