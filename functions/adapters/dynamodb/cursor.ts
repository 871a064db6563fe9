import { ValidationError } from "../../domain/errors.js";

const KEY_ATTRIBUTES = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"];

/** Cursors are opaque to callers: base64url of the index and its LastEvaluatedKey. */
export function encodeCursor(index: string, key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ i: index, k: key })).toString("base64url");
}

/** The LastEvaluatedKey inside a cursor this listing issued, or ValidationError on anything else. */
export function decodeCursor(cursor: string, index: string): Record<string, string> {
  const invalid = () => new ValidationError("Invalid query", [{ path: "cursor", message: "is not a cursor this listing returned" }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  const { i, k } = (parsed ?? {}) as { i?: unknown; k?: unknown };
  if (i !== index || typeof k !== "object" || k === null) throw invalid();
  const entries = Object.entries(k);
  if (entries.length === 0 || entries.some(([name, v]) => !KEY_ATTRIBUTES.includes(name) || typeof v !== "string")) throw invalid();
  return k as Record<string, string>;
}
