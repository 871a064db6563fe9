import { randomBytes } from "node:crypto";

/** Task tokens carry their execution and state, so a token from a closed execution is told apart from garbage. */
export const encodeToken = (executionArn: string) =>
  Buffer.from(JSON.stringify({ e: executionArn, n: randomBytes(12).toString("hex") })).toString("base64url");

export function decodeToken(token: string): { e: string } | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { e?: unknown };
    return typeof t.e === "string" ? { e: t.e } : undefined;
  } catch {
    return undefined;
  }
}

