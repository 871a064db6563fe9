import type { Order } from "./order.js";

/** A fraud signal and what it adds to the score. */
export interface FraudSignal {
  signal: string;
  weight: number;
}

/** Rates an order's fraud risk from 0 (none) to 1; pluggable (a provider's API in production). */
export interface FraudScorer {
  score(order: Order): Promise<{ score: number; signals: FraudSignal[] }>;
}

const DISPOSABLE_DOMAINS = new Set(["mailinator.com", "guerrillamail.com", "10minutemail.com", "trashmail.com", "yopmail.com", "tempmail.dev"]);
const CALLING_CODES: Record<string, string> = { DE: "+49", NL: "+31", BE: "+32", FR: "+33", AT: "+43", CH: "+41", PL: "+48", DK: "+45", IT: "+39", ES: "+34", GB: "+44", LU: "+352" };

/**
 * A rule-based scorer, the local stand-in for a fraud provider: a throwaway email domain, a phone
 * from another country than the shipping address, many units of one item, a large order.
 */
export const ruleBasedFraudScorer: FraudScorer = {
  score(order) {
    const signals: FraudSignal[] = [];
    const domain = order.customer.email.split("@")[1]?.toLowerCase() ?? "";
    if (DISPOSABLE_DOMAINS.has(domain)) signals.push({ signal: `disposable email domain ${domain}`, weight: 0.5 });
    const country = order.shippingAddress?.country;
    const code = country ? CALLING_CODES[country] : undefined;
    if (order.customer.phone && code && !order.customer.phone.startsWith(code)) signals.push({ signal: `phone not from ${country}`, weight: 0.2 });
    if (order.lines.some((l) => l.quantity >= 10)) signals.push({ signal: "10 or more units of one item", weight: 0.2 });
    if (order.totals.grandTotal.amount >= 50_000) signals.push({ signal: "large order", weight: 0.1 });
    return Promise.resolve({ score: Math.min(1, signals.reduce((t, s) => t + s.weight, 0)), signals });
  },
};

/** Why an order must wait for an operator, under a channel's hold rules; empty when it need not. */
export function holdReasons(order: Order, rules: { amountAtLeast: number; fraudScoreAtLeast: number }, fraud: { score: number; signals: FraudSignal[] }): string[] {
  const reasons: string[] = [];
  if (order.totals.grandTotal.amount >= rules.amountAtLeast) reasons.push(`grand total ${order.totals.grandTotal.amount} ≥ ${rules.amountAtLeast} ${order.currency} minor units`);
  if (fraud.score >= rules.fraudScoreAtLeast) reasons.push(`fraud score ${fraud.score.toFixed(2)} (${fraud.signals.map((s) => s.signal).join("; ")})`);
  return reasons;
}
