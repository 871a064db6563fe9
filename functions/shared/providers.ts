/**
 * The payment providers and carriers a stage may name (infra/config.ts), which the composition
 * root turns into adapters. "local" is a simulator that keeps its answers in the table: fine for a
 * demo stage, never a silent default; a stage that names none fails `cdk synth`.
 */
export const PAYMENT_PROVIDERS = ["local"] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

export const CARRIERS = ["local"] as const;
export type CarrierName = (typeof CARRIERS)[number];

/**
 * Geocoders: "offline" reads GeoNames-based tables bundled with the function (postal, city or
 * country precision); "amazon-location" asks Amazon Location Service Places (street precision
 * where it has the address; AWS only: the local cloud refuses it).
 */
export const GEOCODERS = ["offline", "amazon-location"] as const;
export type GeocoderName = (typeof GEOCODERS)[number];

/** The environment variables that carry the stage's choice to the functions. */
export const PROVIDER_ENV = { payments: "PAYMENT_PROVIDER", carrier: "CARRIER", geocoder: "GEOCODER" } as const;
