import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (where cdk.json lives). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Runs `cdk synth` (offline, quiet) so the local cloud runs exactly what would be deployed; `app` replaces cdk.json's app (test fixtures). */
export function synth(outdir = path.join(ROOT, "cdk.out"), app?: string): string {
  const cdk = path.join(ROOT, "node_modules", ".bin", "cdk");
  const r = spawnSync(cdk, ["synth", "--quiet", "--no-notices", "--output", outdir, ...(app ? ["--app", app] : [])], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true", CI: process.env.CI ?? "true" },
  });
  if (r.status !== 0) throw new Error(`cdk synth failed:\n${r.stdout}\n${r.stderr}`);
  return outdir;
}
