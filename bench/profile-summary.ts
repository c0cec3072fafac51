/**
 * Summarizes V8 CPU profiles (node --cpu-prof, e.g. BENCH_CPU_PROF=/tmp/prof npm run bench -- throughput):
 *   tsx bench/profile-summary.ts <file.cpuprofile> [top]
 * Prints the functions with the most self time (ms and share), and the same by package/file, so the findings
 * can be kept in docs/performance.md.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function where(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 13).split('/').slice(0, url.slice(nm + 13).startsWith('@') ? 2 : 1).join('/');
  const src = url.search(/\/(src|simulator|bench)\//);
  return src >= 0 ? url.slice(src + 1) : url.replace(/^node:/, 'node:') || '(native)';
}

const [file, topText] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const name = `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const place = n.callFrame.url ? where(n.callFrame.url) : n.callFrame.functionName;
  byPlace.set(place, (byPlace.get(place) ?? 0) + us);
}
const top = Number(topText ?? 25);
const show = (title: string, m: Map<string, number>): void => {
  process.stdout.write(`${title} (of ${(total / 1000).toFixed(0)} ms sampled)\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}\n`);
};
show('self time by function', byFunction);
show('self time by package or file', byPlace);
