// TotpStore in SQLite: a factor (totp_factors + totp_recovery_codes) and the sign-in challenges. Every
// change is one transaction; claims are single conditional updates, so two racing callers cannot both win.

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
import type { Db } from "./db.js";

function requireUser(db: Db, name: string): void {
  if (db.get("select 1 from users where name = ?", name) === undefined)
    throw new BeaconError("user_not_found", `user ${name} does not exist`);
}

export function sqliteTotp(db: Db): TotpStore {
  return {
    putTotp(factor) {
      return db.write("putTotp", () => {
        requireUser(db, factor.user);
        db.run("delete from totp_factors where user_name = ?", factor.user);
        db.run(
          `insert into totp_factors (${TOTP_FACTOR_COLUMNS}) values (?, ?, ?, ?, ?, ?)`,
          ...totpFactorValues(factor),
        );
        for (const values of recoveryCodeValues(factor))
          db.run(`insert into totp_recovery_codes (${RECOVERY_CODE_COLUMNS}) values (?, ?, ?)`, ...values);
      });
    },

    getTotp(user) {
      return db.read(
        "getTotp",
        () => {
          const row = db.get<TotpFactorRow>(
            `select ${TOTP_FACTOR_COLUMNS} from totp_factors where user_name = ?`,
            user,
          );
          if (row === undefined) return undefined;
          const codes = db.all<RecoveryCodeRow>(
            `select ${RECOVERY_CODE_COLUMNS} from totp_recovery_codes where user_name = ?`,
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
        () => {
          const codes = db.all<RecoveryCodeRow>(`select ${RECOVERY_CODE_COLUMNS} from totp_recovery_codes`);
          return db
            .all<TotpFactorRow>(`select ${TOTP_FACTOR_COLUMNS} from totp_factors order by user_name`)
            .map((r) => totpFactorFromRows(r, codes));
        },
        true,
      );
    },

    deleteTotp(user) {
      return db.write("deleteTotp", () => db.run("delete from totp_factors where user_name = ?", user) > 0);
    },

    claimTotpStep(user, step) {
      return db.write(
        "claimTotpStep",
        () =>
          db.run(
            "update totp_factors set last_step = ? where user_name = ? and (last_step is null or last_step < ?)",
            step,
            user,
            step,
          ) > 0,
      );
    },

    useRecoveryCode(user, hash, at) {
      return db.write(
        "useRecoveryCode",
        () =>
          db.run(
            "update totp_recovery_codes set used_at = ? where user_name = ? and code_hash = ? and used_at is null",
            at,
            user,
            hash,
          ) > 0,
      );
    },

    createLoginChallenge(challenge) {
      return db.write("createLoginChallenge", () => {
        requireUser(db, challenge.user);
        db.run(
          `insert into login_challenges (${LOGIN_CHALLENGE_COLUMNS}) values (?, ?, ?, ?)`,
          ...loginChallengeValues(challenge),
        );
      });
    },

    getLoginChallenge(idHash) {
      return db.read("getLoginChallenge", () => {
        const row = db.get<LoginChallengeRow>(
          `select ${LOGIN_CHALLENGE_COLUMNS} from login_challenges where id_hash = ?`,
          idHash,
        );
        return row === undefined ? undefined : loginChallengeFromRow(row);
      });
    },

    deleteLoginChallenge(idHash) {
      return db.write(
        "deleteLoginChallenge",
        () => db.run("delete from login_challenges where id_hash = ?", idHash) > 0,
      );
    },

    pruneLoginChallenges(now) {
      return db.write("pruneLoginChallenges", () =>
        db.run("delete from login_challenges where expires_at <= ?", now),
      );
    },
  };
}
