// A Lambda entry like main.ts over the memory store (with BEACON_SERVERLESS_* settings from the
// environment as main.ts reads them): for the bundle test, the cold-start benchmark and the local
// shim's tests, which run without DynamoDB. Its store starts empty at every cold start.

import { createMemoryStore } from "../../store/memory/memory-store.js";
import { startLambda } from "../start.js";
import { unacknowledged } from "./unacknowledged.js";

export const handler = startLambda({
  env: process.env,
  version: "memory",
  ack: unacknowledged,
  openStore: () => createMemoryStore(),
});
