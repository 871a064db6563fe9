/**
 * EventBridge event-pattern matching, as AWS's event-ruler (the engine EventBridge runs) defines it:
 * exact values, arrays in events, nested objects (also inside arrays of objects, element by
 * element), prefix, suffix, equals-ignore-case (and the prefix/suffix forms of it), wildcard,
 * anything-but (value, list, prefix, suffix, wildcard, ignore-case), numeric ranges, exists, cidr
 * (IPv4 and IPv6), exact, $or. A pattern is checked before it is used: whatever AWS refuses with
 * InvalidEventPatternException (a leaf that is not an array, an empty array or object, an unknown
 * or malformed operator, consecutive wildcards, a bad escape, a numeric range out of order...)
 * throws InvalidEventPatternError here, whatever the event.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A pattern AWS would refuse (InvalidEventPatternException); the message says where and why. */
export class InvalidEventPatternError extends Error {
  constructor(message: string) {
    super(`Event pattern is not valid. Reason: ${message}`);
    this.name = "InvalidEventPatternError";
  }
}

const checked = new WeakSet<object>();

/** True when the event matches the pattern; an invalid pattern throws InvalidEventPatternError. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  validatePattern(pattern);
  return matchObject(pattern as Record<string, Json>, isObject(event) ? event : {});
}

/** Throws InvalidEventPatternError unless EventBridge would accept the pattern. */
export function validatePattern(pattern: unknown): void {
  if (isObject(pattern) && checked.has(pattern)) return;
  if (!isObject(pattern)) throw new InvalidEventPatternError("Filter is not an object");
  checkObject(pattern, "", false);
  checked.add(pattern);
}

const OR = "$or";

function checkObject(o: Record<string, Json>, path: string, insideOr: boolean): void {
  const keys = Object.keys(o);
  if (keys.length === 0) throw new InvalidEventPatternError(`Empty objects are not allowed${path ? ` (at ${path})` : ""}`);
  for (const key of keys) {
    const rule = o[key] as Json;
    const here = path ? `${path}.${key}` : key;
    if (key === OR) {
      if (!Array.isArray(rule)) throw new InvalidEventPatternError(`It must be an Array followed with ${OR}.`);
      if (!rule.every(isObject)) throw new InvalidEventPatternError(`Only JSON object is allowed in array of ${OR} relationship.`);
      if (rule.length < 2) throw new InvalidEventPatternError(`There must have at least 2 Objects in ${OR} relationship.`);
      for (const alt of rule) checkObject(alt, path, true);
      continue;
    }
    if (insideOr && isReservedInOr(key)) throw new InvalidEventPatternError(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    if (isObject(rule)) checkObject(rule, here, insideOr);
    else if (Array.isArray(rule)) checkValues(rule, here);
    else throw new InvalidEventPatternError(`"${key}" must be an object or an array`);
  }
}

/** event-ruler's reserved names: match-operator names cannot be field names inside $or. */
const isReservedInOr = (key: string) => ["anything-but", "exists", "prefix", "suffix", "equals-ignore-case", "wildcard", "numeric", "cidr", "exact"].includes(key);

function checkValues(values: Json[], path: string): void {
  if (values.length === 0) throw new InvalidEventPatternError(`Empty arrays are not allowed (at ${path})`);
  for (const v of values) {
    if (Array.isArray(v)) throw new InvalidEventPatternError(`Match value must be String, number, true, false, or null (at ${path})`);
    if (isObject(v)) checkMatcher(v, path);
  }
}

const str = (v: Json | undefined, what: string, path: string): string => {
  if (typeof v !== "string") throw new InvalidEventPatternError(`${what} match pattern must be a string (at ${path})`);
  return v;
};
const single = (m: Record<string, Json>, path: string) => {
  if (Object.keys(m).length !== 1) throw new InvalidEventPatternError(`Only one key allowed in match expression (at ${path})`);
};

function checkMatcher(m: Record<string, Json>, path: string): void {
  const [op] = Object.keys(m);
  if (op === undefined) throw new InvalidEventPatternError(`Match expression name not found (at ${path})`);
  const arg = m[op] as Json;
  if (op !== "numeric" && op !== "anything-but") single(m, path);
  switch (op) {
    case "exact":
    case "equals-ignore-case":
      str(arg, op, path);
      return;
    case "prefix":
    case "suffix":
      if (isObject(arg)) {
        single(arg, path);
        if (!("equals-ignore-case" in arg)) throw new InvalidEventPatternError(`Unsupported ${op} pattern: ${Object.keys(arg)[0] ?? ""} (at ${path})`);
        str(arg["equals-ignore-case"], "equals-ignore-case", path);
        return;
      }
      str(arg, op, path);
      return;
    case "wildcard":
      checkWildcard(str(arg, "wildcard", path), path);
      return;
    case "exists":
      if (typeof arg !== "boolean") throw new InvalidEventPatternError(`exists match pattern must be either true or false. (at ${path})`);
      return;
    case "cidr":
      if (!parseCidr(str(arg, "cidr", path))) throw new InvalidEventPatternError(`Malformed CIDR, one '/' required (or a valid address and prefix length): ${JSON.stringify(arg)} (at ${path})`);
      return;
    case "numeric":
      single(m, path);
      checkNumeric(arg, path);
      return;
    case "anything-but":
      single(m, path);
      checkAnythingBut(arg, path);
      return;
    default:
      throw new InvalidEventPatternError(`Unrecognized match type ${op} (at ${path})`);
  }
}

function checkAnythingBut(arg: Json, path: string): void {
  if (isObject(arg)) {
    single(arg, path);
    const [op = ""] = Object.keys(arg);
    if (!["equals-ignore-case", "prefix", "suffix", "wildcard"].includes(op)) throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${op} (at ${path})`);
    const inner = arg[op] as Json;
    const list = Array.isArray(inner) ? inner : [inner];
    if (Array.isArray(inner) && inner.length === 0) throw new InvalidEventPatternError(`Empty arrays are not allowed (at ${path})`);
    for (const x of list) {
      const s = str(x, op === "wildcard" ? "wildcard" : op === "equals-ignore-case" ? "anything-but/equals-ignore-case" : "prefix/suffix", path);
      if ((op === "prefix" || op === "suffix") && s === "") throw new InvalidEventPatternError(`Null prefix/suffix not allowed (at ${path})`);
      if (op === "wildcard") checkWildcard(s, path);
    }
    return;
  }
  if (Array.isArray(arg)) {
    const numbers = arg.filter((x) => typeof x === "number").length;
    const strings = arg.filter((x) => typeof x === "string").length;
    if (numbers + strings !== arg.length) throw new InvalidEventPatternError(`Inside anything but list, start|null|boolean is not supported. (at ${path})`);
    if ((numbers > 0 && strings > 0) || arg.length === 0) throw new InvalidEventPatternError(`Inside anything but list, either all values are number or string, mixed type is not supported (at ${path})`);
    return;
  }
  if (typeof arg !== "string" && typeof arg !== "number") throw new InvalidEventPatternError(`Value of anything-but must be an array or single string/number value. (at ${path})`);
}

function checkNumeric(arg: Json, path: string): void {
  if (!Array.isArray(arg)) throw new InvalidEventPatternError(`Value of numeric must be an array. (at ${path})`);
  const [op, value, op2, value2, ...rest] = arg;
  const num = (x: Json | undefined, o: Json | undefined) => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new InvalidEventPatternError(`Value of ${typeof o === "string" ? o : JSON.stringify(o)} must be numeric (at ${path})`);
    return x;
  };
  if (typeof op !== "string") throw new InvalidEventPatternError(`Invalid member in numeric match: ${JSON.stringify(op)} (at ${path})`);
  if (!["=", "<", "<=", ">", ">="].includes(op)) throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${op} (at ${path})`);
  const low = num(value, op);
  if (op2 === undefined) return;
  // Only a lower bound may be followed, and only by an upper bound: [">", 0, "<=", 5].
  if (op !== ">" && op !== ">=") throw new InvalidEventPatternError(`Too many elements in numeric expression (at ${path})`);
  if (op2 !== "<" && op2 !== "<=") throw new InvalidEventPatternError(`Bad numeric range operator: ${typeof op2 === "string" ? op2 : JSON.stringify(op2)} (at ${path})`);
  const high = num(value2, op2);
  if (rest.length) throw new InvalidEventPatternError(`Too many terms in numeric range expression (at ${path})`);
  if (low >= high) throw new InvalidEventPatternError(`Bottom must be less than top (at ${path})`);
}

/** event-ruler's wildcard syntax: `*` any run, `\*` a literal star, `\\` a backslash; no `**`, no other escape. */
function checkWildcard(w: string, path: string): void {
  for (let i = 0; i < w.length; i++) {
    const c = w[i];
    if (c === "\\") {
      const next = w[i + 1];
      if (next !== "*" && next !== "\\") throw new InvalidEventPatternError(`Invalid escape character at pos ${i + 1} (at ${path})`);
      i++;
    } else if (c === "*" && w[i + 1] === "*") throw new InvalidEventPatternError(`Consecutive wildcard characters at pos ${i + 1} (at ${path})`);
  }
}

function matchObject(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === OR) {
      if (!(rule as Json[]).some((alt) => matchObject(alt as Record<string, Json>, event))) return false;
      continue;
    }
    const value = event[key];
    if (isObject(rule)) {
      // A nested pattern applies to an object, or to each object of an array (one element must match it all).
      const objects = isObject(value) ? [value] : Array.isArray(value) ? value.filter(isObject) : [];
      if (objects.length === 0) {
        // A nested pattern that only asks for absence matches a missing object.
        if (!onlyAbsence(rule)) return false;
        continue;
      }
      if (!objects.some((o) => matchObject(rule, o))) return false;
      continue;
    }
    if (!matchField(rule as Json[], value, key in event)) return false;
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
  if (!isObject(m)) return m === v;
  const [op, arg] = Object.entries(m)[0] ?? [];
  const text = (x: Json | undefined): string => (typeof x === "string" ? x : JSON.stringify(x));
  const ci = (x: Json | undefined): string => (isObject(x) ? text(x["equals-ignore-case"]) : text(x)).toLowerCase();
  switch (op) {
    case "exact":
      return v === arg;
    case "prefix":
      return typeof v === "string" && (isObject(arg) ? v.toLowerCase().startsWith(ci(arg)) : v.startsWith(text(arg)));
    case "suffix":
      return typeof v === "string" && (isObject(arg) ? v.toLowerCase().endsWith(ci(arg)) : v.endsWith(text(arg)));
    case "equals-ignore-case":
      return typeof v === "string" && v.toLowerCase() === ci(arg);
    case "wildcard":
      return typeof v === "string" && wildcard(text(arg)).test(v);
    case "anything-but":
      return anythingBut(arg as Json, v);
    case "numeric":
      return typeof v === "number" && numeric(arg as Json[], v);
    case "cidr":
      return typeof v === "string" && inCidr(text(arg), v);
    default:
      return false;
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
        return false;
    }
  }
  return arg !== v;
}

function wildcard(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? "";
    if (c === "\\") re += (pattern[++i] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (c === "*") re += ".*";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
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

/** A CIDR block (or a bare address, a block of one); undefined when malformed. */
function parseCidr(cidr: string): { net: { value: bigint; bits: number }; prefix: number } | undefined {
  const parts = cidr.split("/");
  if (parts.length > 2) return undefined;
  const net = ipToBigInt(parts[0] ?? "");
  if (!net) return undefined;
  if (parts[1] === undefined) return { net, prefix: net.bits };
  if (!/^\d{1,3}$/.test(parts[1])) return undefined;
  const prefix = Number(parts[1]);
  return prefix <= net.bits ? { net, prefix } : undefined;
}

function inCidr(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const addr = ipToBigInt(ip);
  if (!block || !addr || block.net.bits !== addr.bits) return false;
  const shift = BigInt(block.net.bits - block.prefix);
  return block.net.value >> shift === addr.value >> shift;
}
