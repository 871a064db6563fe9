/**
 * Money as channels send it, decimal text ("74.99", "1500", "12.345"), to integer minor units by
 * the currency's ISO-4217 exponent (JPY 0, EUR 2, KWD 3), exactly: never through a float.
 */

const exponents = new Map<string, number>();

/** The number of minor-unit digits of an ISO-4217 currency (from the runtime's CLDR data). */
export function currencyExponent(currency: string): number {
  let e = exponents.get(currency);
  if (e === undefined) {
    e = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(currency, e);
  }
  return e;
}

/**
 * "74.99" EUR → 7499; "1500" JPY → 1500; "12.345" KWD → 12345. Digits beyond the exponent must be
 * zeros ("74.990" is fine, "74.999" EUR is not money); anything else is an error naming the text.
 */
export function toMinorUnits(text: string | number, currency: string): number {
  const s = String(text).trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) throw new RangeError(`"${s}" is not a decimal amount`);
  const [, sign, whole = "0", fraction = ""] = m;
  const exponent = currencyExponent(currency);
  if (/[^0]/.test(fraction.slice(exponent))) throw new RangeError(`"${s}" has more decimals than ${currency} has (${exponent})`);
  const minor = Number(whole + fraction.slice(0, exponent).padEnd(exponent, "0"));
  if (!Number.isSafeInteger(minor)) throw new RangeError(`"${s}" is too large an amount`);
  return sign === "-" ? -minor : minor;
}

/** Minor units as the channel's decimal text: 7499 EUR → "74.99", 1500 JPY → "1500", 12345 KWD → "12.345" (exact, no float). */
export function toDecimalText(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${minor} is not a whole number of minor units`);
  const e = currencyExponent(currency);
  const digits = String(Math.abs(minor)).padStart(e + 1, "0");
  const text = e ? `${digits.slice(0, -e)}.${digits.slice(-e)}` : digits;
  return minor < 0 ? `-${text}` : text;
}
