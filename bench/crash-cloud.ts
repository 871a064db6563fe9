// The local cloud in a process of its own, for the crash bench to kill: node --import tsx bench/crash-cloud.ts <assembly> <data dir> <api port> <aws port> <dynamo port>
import { startLocalCloud } from "../local/cloud.js";

const [assemblyDir, dataDir, api, aws, dynamo] = process.argv.slice(2) as [string, string, string, string, string];
const started = performance.now();
const cloud = await startLocalCloud({ assemblyDir, dataDir, apiPort: Number(api), awsPort: Number(aws), dynamoPort: Number(dynamo), seed: true });
console.log(`READY ${JSON.stringify({ apiUrl: cloud.apiUrl, awsEndpoint: cloud.awsEndpoint, secret: cloud.channelSecrets.generic, startMs: Math.round(performance.now() - started) })}`);
setInterval(() => undefined, 60_000);
