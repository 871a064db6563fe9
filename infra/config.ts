import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { CARRIERS, GEOCODERS, PAYMENT_PROVIDERS, type CarrierName, type GeocoderName, type PaymentProviderName } from "../functions/shared/providers.js";

/** Everything that differs between stages, typed. */
export interface StageConfig {
  stage: string;
  /** Removal policy of stateful resources (table, bus archive, secrets, log groups). */
  removalPolicy: RemovalPolicy;
  logRetention: RetentionDays;
  logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** How long the bus archive keeps events for replay. */
  archiveRetention: Duration;
  /** Deletion protection on the table. */
  deletionProtection: boolean;
  /**
   * The payment provider and carrier the functions use. Named per stage on purpose: "local" is a
   * simulator (answers kept in the table) for demo stages; a stage that names none fails synth,
   * so a deploy never ships a fake payment provider by default.
   */
  providers: { payments: PaymentProviderName; carrier: CarrierName; geocoder: GeocoderName };
  /** When replenishment planning runs: an EventBridge Scheduler expression in the merchant's time zone. */
  planning: { scheduleExpression: string; timeZone: string; segmentSize: number };
}

type StageSettings = Omit<StageConfig, "stage" | "providers"> & { providers?: Partial<StageConfig["providers"]> };

const STAGES: Record<string, StageSettings> = {
  dev: {
    removalPolicy: RemovalPolicy.DESTROY,
    logRetention: RetentionDays.ONE_WEEK,
    logLevel: "DEBUG",
    archiveRetention: Duration.days(7),
    deletionProtection: false,
    planning: { scheduleExpression: "cron(0 2 * * ? *)", timeZone: "Europe/Berlin", segmentSize: 1000 },
    // A demo stage: the simulators, named explicitly.
    providers: { payments: "local", carrier: "local", geocoder: "offline" },
  },
  prod: {
    removalPolicy: RemovalPolicy.RETAIN,
    logRetention: RetentionDays.ONE_YEAR,
    logLevel: "INFO",
    archiveRetention: Duration.days(365),
    deletionProtection: true,
    planning: { scheduleExpression: "cron(0 2 * * ? *)", timeZone: "Europe/Berlin", segmentSize: 1000 },
    // No real payment provider or carrier adapter is built yet: until one is, and named here, prod does not synthesize.
  },
};

/** The config of a stage (`-c stage=prod`); unknown stages are an error, not a silent default. */
export function stageConfig(stage: string, stages: Record<string, StageSettings> = STAGES): StageConfig {
  const config = stages[stage];
  if (!config) throw new Error(`Unknown stage "${stage}"; known stages: ${Object.keys(stages).join(", ")}`);
  const { payments, carrier, geocoder } = config.providers ?? {};
  if (!payments || !(PAYMENT_PROVIDERS as readonly string[]).includes(payments))
    throw new Error(`Stage "${stage}" names no payment provider this build has (providers.payments in infra/config.ts; built: ${PAYMENT_PROVIDERS.join(", ")}, where "local" is a simulator for demo stages)`);
  if (!carrier || !(CARRIERS as readonly string[]).includes(carrier))
    throw new Error(`Stage "${stage}" names no carrier this build has (providers.carrier in infra/config.ts; built: ${CARRIERS.join(", ")}, where "local" is a simulator for demo stages)`);
  if (!geocoder || !(GEOCODERS as readonly string[]).includes(geocoder))
    throw new Error(`Stage "${stage}" names no geocoder this build has (providers.geocoder in infra/config.ts; built: ${GEOCODERS.join(", ")})`);
  return { stage, ...config, providers: { payments, carrier, geocoder } };
}
