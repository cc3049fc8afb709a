import { runStoreContract } from "../testing/contract.js";
import { createMemoryStore } from "./memory-store.js";

runStoreContract("memory", () => {
  const store = createMemoryStore();
  return Promise.resolve({ store, cleanup: () => store.close() });
});
