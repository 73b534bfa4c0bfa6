// Type tests: the library's factories take only their documented parameters, with their types.
import { describe, expectTypeOf, it } from 'vitest';
import { hours, minutes } from '../../src/events/time.ts';
import type { SequenceRule, ThresholdRule } from '../../src/core/rule-types.ts';
import { accountTakeover, structuring } from 'cepheus/rules';
import type { StructuringParams } from 'cepheus/rules';

describe('the rule library', () => {
  it('builds rules from typed parameters', () => {
    expectTypeOf(structuring({ id: 'structuring-eu', threshold: 9_000, within: hours(24) })).toEqualTypeOf<ThresholdRule>();
    expectTypeOf(accountTakeover()).toEqualTypeOf<SequenceRule>();
    expectTypeOf<StructuringParams['within']>().toEqualTypeOf<ReturnType<typeof hours> | undefined>();
  });

  it('rejects unknown parameters, plain numbers for durations and unknown severities', () => {
    // @ts-expect-error: `treshold` is not a parameter (typo)
    structuring({ treshold: 9_000 });
    // @ts-expect-error: durations are DurationMs (hours(24)), not plain numbers
    structuring({ within: 86_400_000 });
    // @ts-expect-error: not a severity
    accountTakeover({ severity: 'urgent', within: minutes(5) });
  });
});
