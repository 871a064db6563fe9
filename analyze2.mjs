import { build } from "esbuild";
const [entry, pkg] = process.argv.slice(2);
const alias = process.argv[4] ? JSON.parse(process.argv[4]) : {};
const r = await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", target: "node22", minify: true, keepNames: true, mainFields: ["module", "main"], write: false, metafile: true, alias, outfile: "/tmp/out.mjs" });
const out = Object.values(r.metafile.outputs)[0];
const rows = Object.entries(out.inputs).filter(([p]) => p.includes(pkg)).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 30);
for (const [p, v] of rows) console.log(String(Math.round(v.bytesInOutput / 1024 * 10) / 10).padStart(6), p.replace(/.*node_modules\//, ""));
