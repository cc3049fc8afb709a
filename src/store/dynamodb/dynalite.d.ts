// dynalite (an in-process DynamoDB for tests) ships no types: the part the tests use.
declare module "dynalite" {
  import type { Server } from "node:http";
  function dynalite(opts?: {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }): Server;
  export default dynalite;
}
