// A strict reader of the Prometheus text exposition format (0.0.4), for tests: families with
// their HELP and TYPE, samples with labels and values; it throws on any line it cannot read,
// a sample outside its family, or a histogram whose buckets are not cumulative up to +Inf with
// a `_count` equal to the +Inf bucket and a `_sum`.
export interface Sample { readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly value: number }
export interface Family { readonly name: string; readonly type: string; readonly help: string; readonly samples: Sample[] }

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;

function labelsOf(text: string | undefined, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text === '') return out;
  LABEL.lastIndex = 0;
  let read = 0;
  for (let m = LABEL.exec(text); m !== null; m = LABEL.exec(text)) {
    out[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    read = LABEL.lastIndex;
  }
  if (read !== text.length) throw new Error(`unreadable labels: ${line}`);
  return out;
}

export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      if (meta[1] === 'HELP') help.set(meta[2] as string, meta[3] as string);
      else families.set(meta[2] as string, { name: meta[2] as string, type: meta[3] as string, help: help.get(meta[2] as string) ?? '', samples: [] });
      continue;
    }
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`unreadable line: ${line}`);
    const name = m[1] as string;
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
    if (family === undefined) throw new Error(`sample outside any family: ${line}`);
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    if (Number.isNaN(value)) throw new Error(`not a number: ${line}`);
    family.samples.push({ name, labels: labelsOf(m[2], line), value });
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const les = buckets.map((b) => (b.labels['le'] === '+Inf' ? Infinity : Number(b.labels['le'])));
    const count = samples.find((s) => s.name === `${f.name}_count`);
    const sum = samples.find((s) => s.name === `${f.name}_sum`);
    const ascending = les.every((le, i) => i === 0 || le > (les[i - 1] as number)) && buckets.every((b, i) => i === 0 || b.value >= (buckets[i - 1] as Sample).value);
    if (!ascending || les[les.length - 1] !== Infinity || count === undefined || sum === undefined || count.value !== buckets[buckets.length - 1]?.value) {
      throw new Error(`${f.name} ${key}: buckets must be cumulative up to le="+Inf", with _sum and a _count equal to the +Inf bucket`);
    }
  }
}
