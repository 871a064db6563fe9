/** An amount of money in integer minor units of an ISO-4217 currency: never a float. */
export interface Money {
  amount: number;
  currency: string;
}

/** Zero in the given currency. */
export const zero = (currency: string): Money => ({ amount: 0, currency });

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`Currency mismatch: ${a.currency} vs ${b.currency}`);
}

function checked(amount: number): number {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Money amount ${amount} is not a safe integer of minor units`);
  return amount;
}

/** a + b, same currency only. */
export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { amount: checked(a.amount + b.amount), currency: a.currency };
}

/** a − b, same currency only. */
export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { amount: checked(a.amount - b.amount), currency: a.currency };
}

/** unit × an integer quantity. */
export function multiply(unit: Money, quantity: number): Money {
  if (!Number.isInteger(quantity)) throw new RangeError(`Quantity ${quantity} is not an integer`);
  return { amount: checked(unit.amount * quantity), currency: unit.currency };
}

/** Sum of amounts in one currency (zero when empty). */
export function sum(items: Money[], currency: string): Money {
  return items.reduce(add, zero(currency));
}

/** Human-readable amount for notifications, e.g. "EUR 19.99" (minor-unit digits per ISO 4217 via Intl). */
export function format(money: Money, locale = "en"): string {
  const digits = new Intl.NumberFormat(locale, { style: "currency", currency: money.currency }).resolvedOptions()
    .maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale, { style: "currency", currency: money.currency }).format(
    money.amount / 10 ** digits,
  );
}
