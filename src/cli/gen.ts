// `cepheus gen`: writes a deterministic fixture (Avro container or JSON Lines) and its labels
// file next to it, and prints a JSON summary. Same seed and options ⇒ byte-identical files.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import { DEFAULT_GEN_OPTIONS } from '../fixture-generator/options.ts';
import type { GenOptions } from '../fixture-generator/options.ts';
import { generateFile } from '../fixture-generator/generate-file.ts';
import { CepError } from '../core/errors.ts';
import { EVENT_FILE_FORMATS, formatOf } from '../io/event-writer.ts';
import type { EventFileFormat } from '../io/event-writer.ts';
import { parseNonNegative, parsePositiveInt, printError } from './common.ts';

interface GenCliOptions {
  seed: number;
  events: number;
  accounts: number;
  instruments: number;
  days: number;
  start: string;
  format?: EventFileFormat;
  out?: string;
  disorder: number;
  disorderBoundMs: number;
  late: number;
  positives: number;
  nearMisses: number;
  scenarios: boolean;
  progress?: boolean;
}

const D = DEFAULT_GEN_OPTIONS;

export function genCommand(): Command {
  return new Command('gen')
    .description('generate a seeded, deterministic fixture of finance events with planted, labelled scenarios (writes <out> and <out-name>.labels.json)')
    .option('--seed <n>', 'PRNG seed (0..4294967295); same seed and options give byte-identical files', parseNonNegative('--seed'), D.seed)
    .option('--events <n>', 'total events, planted scenarios included (exact)', parsePositiveInt('--events'), D.events)
    .option('--accounts <n>', 'background accounts (scenarios use extra dedicated accounts)', parsePositiveInt('--accounts'), D.accounts)
    .option('--instruments <n>', 'listed instruments', parsePositiveInt('--instruments'), D.instruments)
    .option('--days <n>', 'timeline length in days', parsePositiveInt('--days'), D.days)
    .option('--start <iso>', 'timeline start (UTC)', D.start)
    .addOption(new Option('--format <format>', 'output format (default: from the --out extension)').choices(EVENT_FILE_FORMATS))
    .option('--out <file>', 'output file, .avro or .jsonl (default: out/events.<format>)')
    .option('--disorder <fraction>', 'fraction of events delivered out of order within --disorder-bound-ms', parseNonNegative('--disorder'), D.disorder)
    .option('--disorder-bound-ms <ms>', 'how far behind in-bound disordered events may be', parsePositiveInt('--disorder-bound-ms'), D.disorderBoundMs)
    .option('--late <fraction>', `fraction of events delivered ${D.lateMinMs / 60_000}-${D.lateMaxMs / 60_000} min late (beyond the bound; listed in the labels)`, parseNonNegative('--late'), D.late)
    .option('--positives <n>', 'planted instances per rule', parseNonNegative('--positives'), D.positives)
    .option('--near-misses <n>', 'instances per near-miss variant', parseNonNegative('--near-misses'), D.nearMisses)
    .option('--no-scenarios', 'background only: plant nothing')
    .option('--progress', 'show progress on stderr (default: when stderr is a terminal)')
    .option('--no-progress', 'never show progress')
    .action(async (opts: GenCliOptions) => {
      try {
        const format: EventFileFormat = opts.format ?? (opts.out === undefined ? 'avro' : formatOf(opts.out));
        const out = opts.out ?? `out/events.${format}`;
        if (opts.format !== undefined && opts.out !== undefined && formatOf(opts.out) !== opts.format) {
          throw new CepError('CEP_ERR_CLI_ARG', `--format ${opts.format} does not match --out ${opts.out}; readers pick the format by extension, so name the file .${opts.format === 'avro' ? 'avro' : 'jsonl'}`);
        }
        mkdirSync(dirname(out), { recursive: true });
        const options: Partial<GenOptions> = {
          seed: opts.seed, events: opts.events, accounts: opts.accounts, instruments: opts.instruments, days: opts.days, start: opts.start,
          disorder: opts.disorder, disorderBoundMs: opts.disorderBoundMs, late: opts.late, positives: opts.positives, nearMisses: opts.nearMisses,
          scenarios: opts.scenarios,
        };
        const showProgress = opts.progress ?? process.stderr.isTTY;
        const started = performance.now();
        const r = await generateFile(out, options, {
          format,
          ...(showProgress ? {
            onProgress: (n: number) => {
              const s = (performance.now() - started) / 1000;
              const rate = n / Math.max(s, 1e-3);
              process.stderr.write(`\r${n.toLocaleString('en')} / ${opts.events.toLocaleString('en')} events, ${Math.round(rate).toLocaleString('en')} events/s, ETA ${Math.ceil((opts.events - n) / rate)} s   `);
            },
          } : {}),
        });
        if (showProgress) process.stderr.write('\n');
        const wallMs = performance.now() - started;
        const l = r.labels;
        console.log(JSON.stringify({
          file: r.file, labels: r.labelsFile, format: r.format, events: r.events, bytes: r.bytes,
          wallMs: Math.round(wallMs), eventsPerSec: Math.round((r.events / wallMs) * 1000),
          byKind: l.stats.byKind,
          scenarios: { positive: l.scenarios.filter((s) => s.kind === 'positive').length, nearMiss: l.scenarios.filter((s) => s.kind === 'near-miss').length, skipped: l.skipped.length },
          disordered: l.stats.disordered, late: l.late.length,
        }, null, 2));
      } catch (err) {
        printError(err);
      }
    });
}
