import { createHmac, timingSafeEqual } from "node:crypto";
import { UnauthorizedError } from "../../domain/errors.js";

/** The header every signed webhook carries: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export const SIGNATURE_HEADER = "x-oms-signature";
/** How far a signature's timestamp may stand from now before it counts as a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The hex HMAC-SHA256 of "<t>.<body>". */
export const signaturePayload = (secret: string, t: number, body: string): string =>
  createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");

/** A header value for the body, signed at `t` (unix seconds). */
export const signWebhook = (secret: string, body: string, t = Math.floor(Date.now() / 1000)): string =>
  `t=${t},v1=${signaturePayload(secret, t, body)}`;

/**
 * Throws UnauthorizedError unless one v1 signature in the header matches the raw body and the
 * timestamp is within the tolerance (both directions: a clock far ahead is as suspect as a replay).
 * Several v1 values are accepted so a channel can roll its secret without downtime.
 */
export function verifyWebhookSignature(header: string | undefined, rawBody: string, secret: string, nowSeconds: number): void {
  if (!header) throw new UnauthorizedError(`Missing ${SIGNATURE_HEADER} header`);
  const parts = header.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]);
  const ts = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k, v]) => k === "v1" && v).map(([, v]) => v as string);
  if (!ts || !/^\d{1,12}$/.test(ts) || signatures.length === 0)
    throw new UnauthorizedError(`Malformed ${SIGNATURE_HEADER} header: expected t=<unix seconds>,v1=<hex>`);
  const t = Number(ts);
  if (Math.abs(nowSeconds - t) > SIGNATURE_TOLERANCE_SECONDS)
    throw new UnauthorizedError(`Signature timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s away from now`);
  const expected = Buffer.from(signaturePayload(secret, t, rawBody), "hex");
  const ok = signatures.some((s) => {
    if (!/^[0-9a-fA-F]+$/.test(s)) return false;
    const given = Buffer.from(s, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new UnauthorizedError("Signature does not match the body");
}

/** The base64 HMAC-SHA256 of a raw body: how Shopify and WooCommerce sign their webhooks. */
export const base64HmacSha256 = (secret: string, rawBody: string): string => createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");

/** Throws UnauthorizedError unless `header` (named `headerName`) is the body's base64 HMAC-SHA256 under `secret`, compared in constant time. */
export function verifyBase64Hmac(header: string | undefined, rawBody: string, secret: string, headerName: string, mismatch: string): void {
  if (!header) throw new UnauthorizedError(`Missing ${headerName} header`);
  const expected = Buffer.from(base64HmacSha256(secret, rawBody), "base64");
  const given = Buffer.from(header.trim(), "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError(mismatch);
}
