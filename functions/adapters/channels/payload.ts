import { parse } from "lossless-json";
import { MalformedBodyError } from "../../domain/errors.js";
import { toMinorUnits } from "./money-text.js";

/**
 * Reading marketplace payloads: JSON with every number kept as its text (64-bit ids lose digits
 * as JS numbers, and prices must not pass through floats), and small accessors that never throw.
 */
export type Json = Record<string, unknown>;

/** Parses any JSON value (an API's list, say), numbers as their exact text. */
export function parseLosslessValue(rawBody: string): unknown {
  try {
    return parse(rawBody, null, (n: string) => n);
  } catch (error) {
    throw new MalformedBodyError(`Body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Parses a JSON object, numbers as their exact text. */
export function parseLossless(rawBody: string): Json {
  const body = parseLosslessValue(rawBody);
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new MalformedBodyError("Body must be a JSON object");
  return body as Json;
}

export const obj = (v: unknown): Json | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A non-empty trimmed string (numbers arrive as text already), else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
/** Objects of an array, skipping anything else. */
export const objects = (v: unknown): Json[] => arr(v).map(obj).filter((o): o is Json => o !== undefined);

/** An ISO-8601 UTC instant from a channel's date text, or undefined. */
export const isoOf = (text: string | undefined): string | undefined => {
  if (!text) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

/** A SKU our catalog can hold, or undefined. */
export const usableSku = (sku: string | undefined): string | undefined => (sku && /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/.test(sku) ? sku : undefined);

/** An E.164 phone number among the candidates (channels send free text), or undefined. */
export const e164 = (...candidates: (string | undefined)[]): string | undefined => candidates.find((p) => p !== undefined && /^\+[1-9]\d{6,14}$/.test(p));

/** Minor units of a money text, or 0 with the reason added to `holds` (absent text is 0). */
export function amountOr0(text: string | undefined, currency: string, what: string, holds: string[]): number {
  if (text === undefined) return 0;
  try {
    return toMinorUnits(text, currency);
  } catch (error) {
    holds.push(`${what}: ${(error as Error).message}`);
    return 0;
  }
}
