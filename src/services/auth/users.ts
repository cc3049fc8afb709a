// Admin-console users: names, scrypt passwords, and the first-run setup that creates the first one.
// Verifying an unknown name costs one scrypt like a known one, so timing does not reveal who exists.

import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { asciiLowerCase } from "../../core/names.js";
import type { UserRecord } from "../../store/types.js";
import type { UserStore } from "../../store/ports.js";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.js";

/** 1–64 characters: lowercase letters, digits, ".", "_", "-", "@"; starting with a letter or digit. */
const NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** A user as shown by the CLI and the API (never the hash). */
export interface UserView {
  readonly name: string;
  readonly role: "admin";
  readonly createdAt: number;
  readonly passwordChangedAt: number;
}

/** The canonical form of a user name (lowercased); bad_request naming the rule when it breaks it. */
export function canonicalUserName(input: string): string {
  const name = asciiLowerCase(input);
  if (!NAME.test(name)) {
    throw new BeaconError(
      "bad_request",
      "a user name has 1 to 64 characters: letters, digits, '.', '_', '-' or '@', starting with a letter or digit",
    );
  }
  return name;
}

function requireStrong(password: string): void {
  const problem = passwordProblem(password);
  if (problem !== undefined) throw new BeaconError("weak_password", problem);
}

function view(u: UserRecord): UserView {
  return { name: u.name, role: u.role, createdAt: u.createdAt, passwordChangedAt: u.passwordChangedAt };
}

export interface UserService {
  /** bad_request (name), weak_password, user_exists. */
  add(name: string, password: string): Promise<UserView>;
  /** The user when name and password match; undefined otherwise (also for malformed names). */
  verify(name: string, password: string): Promise<UserView | undefined>;
  /** weak_password, user_not_found. Does not end sessions: the caller decides which to keep. */
  setPassword(name: string, password: string): Promise<void>;
  /** user_not_found. Ends the user's sessions. */
  remove(name: string): Promise<void>;
  /** Sorted by name. */
  list(): Promise<UserView[]>;
  count(): Promise<number>;
  /** Creates the first user; setup_done when any user exists (atomic in the store). */
  setupFirstUser(name: string, password: string): Promise<UserView>;
}

export function createUserService(deps: { store: UserStore; clock: Clock }): UserService {
  const { store, clock } = deps;
  // Hashed lazily once; unknown names are verified against it so they cost the same.
  let dummy: Promise<string> | undefined;

  async function record(name: string, password: string): Promise<UserRecord> {
    const canonical = canonicalUserName(name);
    requireStrong(password);
    const now = clock();
    return {
      name: canonical,
      passwordHash: await hashPassword(password),
      role: "admin",
      createdAt: now,
      passwordChangedAt: now,
    };
  }

  return {
    async add(name, password) {
      const u = await record(name, password);
      await store.createUser(u);
      return view(u);
    },

    async verify(name, password) {
      const canonical = asciiLowerCase(name);
      const u = NAME.test(canonical) ? await store.getUser(canonical) : undefined;
      if (u === undefined) {
        dummy ??= hashPassword("beacon-dummy-password");
        await verifyPassword(password, await dummy);
        return undefined;
      }
      return (await verifyPassword(password, u.passwordHash)) ? view(u) : undefined;
    },

    async setPassword(name, password) {
      const canonical = canonicalUserName(name);
      requireStrong(password);
      const hash = await hashPassword(password);
      if (!(await store.setUserPassword(canonical, hash, clock())))
        throw new BeaconError("user_not_found", `no user named ${canonical}`);
    },

    async remove(name) {
      const canonical = canonicalUserName(name);
      if (!(await store.deleteUser(canonical)))
        throw new BeaconError("user_not_found", `no user named ${canonical}`);
    },

    async list() {
      return (await store.listUsers()).map(view);
    },

    count() {
      return store.countUsers();
    },

    async setupFirstUser(name, password) {
      if ((await store.countUsers()) > 0) throw new BeaconError("setup_done");
      const u = await record(name, password);
      if (!(await store.createFirstUser(u))) throw new BeaconError("setup_done");
      return view(u);
    },
  };
}
