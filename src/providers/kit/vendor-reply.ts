// Reading a vendor's JSON reply against the shape its docs promise. Anything else — not JSON, a field
// missing or of the wrong type — is malformed_reply naming the vendor and the status, never a crash
// and never a guess.

import type { z } from "zod";
import type { HttpReply } from "../../net/http.js";
import { VendorError, vendorFailure } from "../errors.js";
import { jsonBody } from "./http.js";

export function vendorReply<T>(reply: HttpReply, vendor: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(jsonBody(reply, vendor));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
  throw vendorFailure(
    "malformed_reply",
    new VendorError(vendor, `unexpected reply shape${where}: ${issue?.message ?? "invalid"}`, {
      status: reply.status,
    }),
  );
}
