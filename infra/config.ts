import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";

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
}

const STAGES: Record<string, Omit<StageConfig, "stage">> = {
  dev: {
    removalPolicy: RemovalPolicy.DESTROY,
    logRetention: RetentionDays.ONE_WEEK,
    logLevel: "DEBUG",
    archiveRetention: Duration.days(7),
    deletionProtection: false,
  },
  prod: {
    removalPolicy: RemovalPolicy.RETAIN,
    logRetention: RetentionDays.ONE_YEAR,
    logLevel: "INFO",
    archiveRetention: Duration.days(365),
    deletionProtection: true,
  },
};

/** The config of a stage (`-c stage=prod`); unknown stages are an error, not a silent default. */
export function stageConfig(stage: string): StageConfig {
  const config = STAGES[stage];
  if (!config) throw new Error(`Unknown stage "${stage}"; known stages: ${Object.keys(STAGES).join(", ")}`);
  return { stage, ...config };
}
