// Rule modules import the API as `cepheus`, `cepheus/rules` and `cepheus/testing`. A rule in a
// project that installs Cepheus gets that copy; a rule anywhere else (a folder beside the
// repository, /tmp) would fail with "Cannot find package 'cepheus'". This resolve hook gives
// those the running package instead, the same one the type check resolved against, so
// `cepheus replay --rules ~/my-rule.ts` works without a project around the file.
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT, isCepheusSpecifier } from './package-root.ts';

let registered = false;

/** Registers the hook on this thread (once; a no-op on a Node without module.registerHooks). */
export function resolveCepheusFromAnywhere(): void {
  if (registered || typeof registerHooks !== 'function') return;
  registered = true;
  const parentURL = pathToFileURL(join(PACKAGE_ROOT, '__rules__.js')).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (err) {
        if (!isCepheusSpecifier(specifier) || (err as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
        return nextResolve(specifier, { ...context, parentURL });
      }
    },
  });
}
