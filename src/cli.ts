#!/usr/bin/env -S node --disable-warning=TimeoutNegativeWarning
// The `cepheus` command line (src/cli/program.ts). kafkajs's request queue schedules negative
// timeouts on Node 24 (harmless): the shebang and the npm scripts turn that warning off.
// `replay` and `run` first get a heap limit from the key budget (src/cli/heap-launch.ts: the
// process is replaced before the program loads, so nothing runs twice).
import { relaunchWithHeapLimit } from './cli/heap-launch.ts';

relaunchWithHeapLimit();
await import('./cli/program.ts');
