/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package/file,
 * as markdown. Frames in the minified bundle (dist/) are mapped back to their source file, line and name
 * through the bundle's source maps. Usage: node bench/lib/profile-summary.mjs FILE.cpuprofile [TOP]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const sourceMaps = new Map();

/** The frame's position in the source, when its script has a source map beside it. */
function originalFrame(callFrame) {
  const url = callFrame.url || '';
  if (!url.startsWith('file://')) return callFrame;
  const file = fileURLToPath(url);
  if (!sourceMaps.has(file)) {
    const mapFile = `${file}.map`;
    sourceMaps.set(
      file,
      existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null,
    );
  }
  const entry = sourceMaps.get(file)?.findEntry(callFrame.lineNumber, callFrame.columnNumber);
  if (!entry?.originalSource) return callFrame;
  const original = entry.originalSource.startsWith('file://')
    ? entry.originalSource
    : `file://${path.resolve(path.dirname(file), entry.originalSource)}`;
  return {
    url: original,
    lineNumber: entry.originalLine,
    functionName: entry.name || callFrame.functionName,
  };
}

export function summariseProfile(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[index] ?? 0));
  }
  const total = [...selfUs.values()].reduce((sum, value) => sum + value, 0);
  const byFunction = new Map();
  const byArea = new Map();
  for (const [id, us] of selfUs) {
    const callFrame = originalFrame(byId.get(id).callFrame);
    const url = callFrame.url || '';
    const name = callFrame.functionName || '(anonymous)';
    const where = url ? `${shorten(url)}:${callFrame.lineNumber + 1}` : '';
    const key = where ? `${name} ${where}` : name;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = areaOf(url, name);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const idle = byFunction.get('(idle)') ?? 0;
  const busy = total - idle;
  const table = (map, title, limit) => {
    const rows = [...map.entries()]
      .filter(([key]) => key !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit);
    return [
      `| ${title} | self ms | % of busy |`,
      '|---|---|---|',
      ...rows.map(
        ([key, us]) =>
          `| \`${key.replaceAll('|', '\\|')}\` | ${(us / 1000).toFixed(0)} | ${((us / busy) * 100).toFixed(1)} |`,
      ),
    ].join('\n');
  };
  return [
    `Profile ${file.split('/').at(-1)}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (not idle).`,
    '',
    table(byArea, 'area', 20),
    '',
    table(byFunction, 'function', top),
    '',
  ].join('\n');
}

function shorten(url) {
  const text = url.replace(/^file:\/\//, '');
  const modules = text.lastIndexOf('/node_modules/');
  if (modules !== -1) return text.slice(modules + 1);
  const own = /\/(?:src|dist)\//.exec(text);
  if (own) return text.slice(own.index + 1);
  return text;
}

function areaOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native/builtin)';
  const text = url.replace(/^file:\/\//, '');
  const modules = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(text);
  if (modules) return `npm: ${modules[1]}`;
  if (text.startsWith('node:')) return text.split('/').slice(0, 2).join('/');
  const own = /\/(?:src|dist)\//.exec(text);
  if (own)
    return `atelier: ${
      text
        .slice(own.index + own[0].length)
        .split('/')
        .slice(0, -1)
        .join('/') || '.'
    }`;
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(summariseProfile(process.argv[2], Number(process.argv[3] ?? 25)));
}
