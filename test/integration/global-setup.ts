import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalCloud } from "../../local/cloud.js";
import { ensureJava } from "../../local/java.js";
import { synth } from "../../local/synth.js";

export interface CloudInfo {
  apiUrl: string;
  awsEndpoint: string;
  operatorToken: string;
  channelSecret: string;
  /** The channel secrets' ARN: tests add a channel's webhook secret with PutSecretValue, as an operator would. */
  channelSecretsId: string;
  /** Signs carrier tracking webhooks (the "default" carrier secret). */
  carrierSecret: string;
  tableName: string;
  stateMachineArn: string;
  /** The order-return workflow's ARN. */
  returnStateMachineArn: string;
  /** The replenishment-planning workflow's ARN. */
  planningStateMachineArn: string;
  dataDir: string;
  /** The synthesized assembly, for tests that start a cloud of their own (e.g. with faults). */
  assemblyDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    cloud: CloudInfo;
  }
}

/** The ARN of the state machine whose name ends in `suffix` (names carry the stage: oms-dev-order-return). */
export const machineArn = (arns: Record<string, string>, suffix: string): string => Object.entries(arns).find(([name]) => name.endsWith(suffix))?.[1] ?? "";

/** One local cloud (random free ports, DynamoDB in memory) built from a fresh `cdk synth`. */
export default async function setup(project: TestProject) {
  ensureJava();
  const work = mkdtempSync(path.join(tmpdir(), "oms-it-"));
  const assemblyDir = synth(path.join(work, "cdk.out"));
  const cloud = await startLocalCloud({ assemblyDir, dataDir: path.join(work, "data"), persist: false, seed: true });
  project.provide("cloud", {
    apiUrl: cloud.apiUrl,
    awsEndpoint: cloud.awsEndpoint,
    operatorToken: cloud.operatorToken,
    channelSecret: cloud.channelSecrets.generic ?? "",
    channelSecretsId: cloud.channelSecretsId,
    carrierSecret: cloud.carrierSecrets.default ?? "",
    tableName: cloud.tableName,
    stateMachineArn: machineArn(cloud.stateMachineArns, "order-fulfillment"),
    returnStateMachineArn: machineArn(cloud.stateMachineArns, "order-return"),
    planningStateMachineArn: machineArn(cloud.stateMachineArns, "replenishment-planning"),
    dataDir: path.join(work, "data"),
    assemblyDir,
  });
  return async () => {
    await cloud.stop();
    // OMS_KEEP_TEST_CLOUD=1 keeps the data (function logs under data/logs) for a post-mortem.
    if (process.env.OMS_KEEP_TEST_CLOUD) console.log(`local cloud data kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  };
}
