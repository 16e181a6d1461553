// What a debugger does with a source map to set a breakpoint in a source
// file (a .ts) on the generated script: read the map (here from the inline
// data: URL the inspector reports), decode its mappings (base64 VLQ, spec:
// https://sourcemaps.info/spec.html) and find where a source line starts.
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export interface SourceMap {
  sources: string[];
  mappings: string;
}

/** The map of a `sourceMappingURL` that is a data: URL. */
export function inlineMap(url: string): SourceMap {
  if (!url.startsWith('data:')) throw new Error(`not an inline source map: ${url.slice(0, 80)}`);
  return JSON.parse(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8')) as SourceMap;
}

function vlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

/** The first generated position (0-based line and column) mapped from `source` at 0-based `line`. */
export function generatedFor(map: SourceMap, source: string, line: number): { line: number; column: number } | undefined {
  const wanted = map.sources.indexOf(source);
  if (wanted < 0) throw new Error(`${source} is not among the map's sources: ${map.sources.join(', ')}`);
  let src = 0;
  let srcLine = 0;
  let best: { line: number; column: number } | undefined;
  for (const [genLine, text] of map.mappings.split(';').entries()) {
    let genCol = 0;
    for (const segment of text.split(',').filter(Boolean)) {
      const f = vlq(segment);
      genCol += f[0]!;
      if (f.length < 4) continue; // [column, source, line, column(, name)]: the source column is not needed here
      src += f[1]!;
      srcLine += f[2]!;
      if (src === wanted && srcLine === line && !best) best = { line: genLine, column: genCol };
    }
  }
  return best;
}
