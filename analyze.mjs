import { build } from "esbuild";
const entry = process.argv[2];
const alias = process.argv[3] ? JSON.parse(process.argv[3]) : {};
const r = await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", target: "node22", minify: true, keepNames: true, mainFields: ["module", "main"], write: false, metafile: true, alias, outfile: "/tmp/out.mjs" });
const out = Object.values(r.metafile.outputs)[0];
const by = {};
for (const [p, v] of Object.entries(out.inputs)) {
  const m = p.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  const k = m ? m[1] : p.split("/").slice(0, 2).join("/");
  by[k] = (by[k] ?? 0) + v.bytesInOutput;
}
console.log("total", Math.round(out.bytes / 1024), "KB");
for (const [k, v] of Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(Math.round(v / 1024)).padStart(5), k);
