// TotpStore in PostgreSQL, as sqlite/totp.ts: a factor (totp_factors + totp_recovery_codes) and the
// sign-in challenges. Claims are single conditional updates: under read committed, a second node's
// update re-checks the row after the first commits, so a step or a recovery code is claimed once.
// A user deleted by another node between the check and the insert is a foreign-key violation
// (SQLSTATE 23503), reported as user_not_found too.

import { BeaconError } from "../../core/errors.js";
import type { TotpStore } from "../ports.js";
import {
  LOGIN_CHALLENGE_COLUMNS,
  loginChallengeFromRow,
  loginChallengeValues,
  RECOVERY_CODE_COLUMNS,
  recoveryCodeValues,
  TOTP_FACTOR_COLUMNS,
  totpFactorFromRows,
  totpFactorValues,
  type LoginChallengeRow,
  type RecoveryCodeRow,
  type TotpFactorRow,
} from "../sql/totp-rows.js";
import type { Db, Sql } from "./db.js";
import { isForeignKeyViolation } from "./errors.js";

async function withUser(sql: Sql, name: string, insert: () => Promise<void>): Promise<void> {
  const missing = () => new BeaconError("user_not_found", `user ${name} does not exist`);
  if ((await sql.get("select 1 from users where name = $1", name)) === undefined) throw missing();
  try {
    await insert();
  } catch (e) {
    if (isForeignKeyViolation(e)) throw missing();
    throw e;
  }
}

export function pgTotp(db: Db): TotpStore {
  return {
    putTotp(factor) {
      return db.write("putTotp", (sql) =>
        withUser(sql, factor.user, async () => {
          await sql.run("delete from totp_factors where user_name = $1", factor.user);
          await sql.run(
            `insert into totp_factors (${TOTP_FACTOR_COLUMNS}) values ($1, $2, $3, $4, $5, $6)`,
            ...totpFactorValues(factor),
          );
          for (const values of recoveryCodeValues(factor))
            await sql.run(
              `insert into totp_recovery_codes (${RECOVERY_CODE_COLUMNS}) values ($1, $2, $3)`,
              ...values,
            );
        }),
      );
    },

    getTotp(user) {
      return db.read(
        "getTotp",
        async (sql) => {
          const row = await sql.get<TotpFactorRow>(
            `select ${TOTP_FACTOR_COLUMNS} from totp_factors where user_name = $1`,
            user,
          );
          if (row === undefined) return undefined;
          const codes = await sql.all<RecoveryCodeRow>(
            `select ${RECOVERY_CODE_COLUMNS} from totp_recovery_codes where user_name = $1`,
            user,
          );
          return totpFactorFromRows(row, codes);
        },
        true,
      );
    },

    listTotp() {
      return db.read(
        "listTotp",
        async (sql) => {
          const codes = await sql.all<RecoveryCodeRow>(
            `select ${RECOVERY_CODE_COLUMNS} from totp_recovery_codes`,
          );
          const rows = await sql.all<TotpFactorRow>(
            `select ${TOTP_FACTOR_COLUMNS} from totp_factors order by user_name`,
          );
          return rows.map((r) => totpFactorFromRows(r, codes));
        },
        true,
      );
    },

    deleteTotp(user) {
      return db.write(
        "deleteTotp",
        async (sql) => (await sql.run("delete from totp_factors where user_name = $1", user)) > 0,
      );
    },

    claimTotpStep(user, step) {
      return db.write(
        "claimTotpStep",
        async (sql) =>
          (await sql.run(
            "update totp_factors set last_step = $1 where user_name = $2 and (last_step is null or last_step < $1)",
            step,
            user,
          )) > 0,
      );
    },

    useRecoveryCode(user, hash, at) {
      return db.write(
        "useRecoveryCode",
        async (sql) =>
          (await sql.run(
            "update totp_recovery_codes set used_at = $1 where user_name = $2 and code_hash = $3 and used_at is null",
            at,
            user,
            hash,
          )) > 0,
      );
    },

    createLoginChallenge(challenge) {
      return db.write("createLoginChallenge", (sql) =>
        withUser(sql, challenge.user, async () => {
          await sql.run(
            `insert into login_challenges (${LOGIN_CHALLENGE_COLUMNS}) values ($1, $2, $3, $4)`,
            ...loginChallengeValues(challenge),
          );
        }),
      );
    },

    getLoginChallenge(idHash) {
      return db.read("getLoginChallenge", async (sql) => {
        const row = await sql.get<LoginChallengeRow>(
          `select ${LOGIN_CHALLENGE_COLUMNS} from login_challenges where id_hash = $1`,
          idHash,
        );
        return row === undefined ? undefined : loginChallengeFromRow(row);
      });
    },

    deleteLoginChallenge(idHash) {
      return db.write(
        "deleteLoginChallenge",
        async (sql) => (await sql.run("delete from login_challenges where id_hash = $1", idHash)) > 0,
      );
    },

    pruneLoginChallenges(now) {
      return db.write("pruneLoginChallenges", (sql) =>
        sql.run("delete from login_challenges where expires_at <= $1", now),
      );
    },
  };
}
