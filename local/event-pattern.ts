/**
 * EventBridge event-pattern matching: exact values, arrays in events, nested objects, prefix,
 * suffix, equals-ignore-case (and the prefix/suffix forms of it), wildcard, anything-but (value,
 * list, prefix, suffix, wildcard, ignore-case), numeric ranges, exists, cidr (IPv4 and IPv6), $or.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** True when the event matches the pattern. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new Error("An event pattern must be a JSON object");
  return matchObject(pattern, isObject(event) ? event : {});
}

function matchObject(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(rule) || !rule.some((alt) => isObject(alt) && matchObject(alt, event))) return false;
      continue;
    }
    const value = event[key];
    if (isObject(rule)) {
      if (!isObject(value)) {
        // A nested pattern that only asks for absence matches a missing object.
        if (!onlyAbsence(rule)) return false;
        continue;
      }
      if (!matchObject(rule, value)) return false;
      continue;
    }
    if (!Array.isArray(rule)) throw new Error(`Pattern value for "${key}" must be an array or an object`);
    if (!matchField(rule, value, key in event)) return false;
  }
  return true;
}

function onlyAbsence(rule: Record<string, Json>): boolean {
  return Object.values(rule).every((r) =>
    Array.isArray(r) ? r.some((m) => isObject(m) && m.exists === false) : isObject(r) ? onlyAbsence(r) : false,
  );
}

function matchField(matchers: Json[], value: Json | undefined, present: boolean): boolean {
  const values: Json[] = Array.isArray(value) ? value : present ? [value as Json] : [];
  return matchers.some((m) => {
    if (isObject(m) && "exists" in m) return m.exists === (present && !(Array.isArray(value) && value.length === 0));
    return values.some((v) => matchOne(m, v));
  });
}

function matchOne(m: Json, v: Json): boolean {
  if (!isObject(m)) return m === v || (typeof m === "number" && typeof v === "number" && m === v);
  const [op, arg] = Object.entries(m)[0] ?? [];
  const str = (x: Json | undefined): string => (typeof x === "string" ? x : JSON.stringify(x));
  const ci = (x: Json | undefined): string => (isObject(x) ? str(x["equals-ignore-case"]) : str(x)).toLowerCase();
  switch (op) {
    case "prefix":
      return typeof v === "string" && (isObject(arg) ? v.toLowerCase().startsWith(ci(arg)) : v.startsWith(str(arg)));
    case "suffix":
      return typeof v === "string" && (isObject(arg) ? v.toLowerCase().endsWith(ci(arg)) : v.endsWith(str(arg)));
    case "equals-ignore-case":
      return typeof v === "string" && v.toLowerCase() === ci(arg);
    case "wildcard":
      return typeof v === "string" && wildcard(str(arg)).test(v);
    case "anything-but":
      return anythingBut(arg as Json, v);
    case "numeric":
      return typeof v === "number" && numeric(arg as Json[], v);
    case "cidr":
      return typeof v === "string" && inCidr(str(arg), v);
    default:
      throw new Error(`Unsupported event pattern operator ${op}`);
  }
}

function anythingBut(arg: Json, v: Json): boolean {
  if (Array.isArray(arg)) return !arg.some((a) => a === v);
  if (isObject(arg)) {
    const [op, x] = Object.entries(arg)[0] ?? [];
    if (typeof v !== "string") return op !== undefined;
    const list = (Array.isArray(x) ? x : [x]).map((y) => (typeof y === "string" ? y : JSON.stringify(y)));
    switch (op) {
      case "prefix":
        return !list.some((p) => v.startsWith(p));
      case "suffix":
        return !list.some((s) => v.endsWith(s));
      case "wildcard":
        return !list.some((w) => wildcard(w).test(v));
      case "equals-ignore-case":
        return !list.some((s) => s.toLowerCase() === v.toLowerCase());
      default:
        throw new Error(`Unsupported anything-but operator ${op}`);
    }
  }
  return arg !== v;
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern
    .split(/(?<!\\)\*/)
    .map((part) => part.replace(/\\\*/g, "*").replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${escaped}$`, "s");
}

function numeric(conditions: Json[], v: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const n = Number(conditions[i + 1]);
    const ok =
      op === "=" ? v === n : op === "<" ? v < n : op === "<=" ? v <= n : op === ">" ? v > n : op === ">=" ? v >= n : false;
    if (!ok) return false;
  }
  return true;
}

function ipToBigInt(ip: string): { value: bigint; bits: number } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split(".").map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), bits: 32 };
  }
  if (!ip.includes(":")) return undefined;
  const [head = "", tail] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), bits: 128 };
}

function inCidr(cidr: string, ip: string): boolean {
  const [base = "", len] = cidr.split("/");
  const net = ipToBigInt(base);
  const addr = ipToBigInt(ip);
  if (!net || !addr || net.bits !== addr.bits) return false;
  const prefix = BigInt(len === undefined ? net.bits : Number(len));
  const shift = BigInt(net.bits) - prefix;
  return net.value >> shift === addr.value >> shift;
}
