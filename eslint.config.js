// Lint is part of `npm test`. The one rule that matters most: src/core stays pure
// (no I/O, no threads, no clocks), so the same core runs in tests, replay, bench and Kafka.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'tls', 'child_process',
  'worker_threads', 'cluster', 'readline', 'process', 'os', 'timers', 'timers/promises', 'stream',
  'perf_hooks', 'sqlite', 'inspector', 'v8', 'vm',
];
const ioPaths = ioModules.flatMap((m) => [m, `node:${m}`]).map((name) => ({
  name,
  message: 'src/core is pure: I/O, threads and clocks belong in adapters outside src/core.',
}));
// `up` is the way out of src/core from a file's folder: '../' in src/core, '../../' in
// src/core/engine.
const ioPatterns = (up) => [
  { group: ['kafkajs', 'avsc', 'fastify', 'fastify/*', '@fastify/*', 'piscina', 'pino', '@kafkajs/*', 'hdr-histogram-js'],
    message: 'src/core is pure: no Kafka, Avro, HTTP, threads or logging here.' },
  { regex: `^${up.replaceAll('.', '\\.')}(?!events/(types|time|generated)\\.ts$)`, message: 'src/core imports only from src/core and the event types.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.cache/**', '.run/**', 'out/**', 'coverage/**', 'bench/results/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly', performance: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a derived union (erasable syntax only).' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespaces (erasable syntax only).' },
        { selector: 'TSParameterProperty', message: 'No constructor parameter properties (erasable syntax only).' },
      ],
    },
  },
  {
    files: ['src/dashboard/**/*.js'],
    languageOptions: { sourceType: 'module', globals: {
      document: 'readonly', location: 'readonly', fetch: 'readonly', EventSource: 'readonly', URLSearchParams: 'readonly', setInterval: 'readonly', setTimeout: 'readonly',
      clearTimeout: 'readonly', console: 'readonly', history: 'readonly', localStorage: 'readonly', window: 'readonly', Intl: 'readonly', uPlot: 'readonly',
    } },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioPaths, patterns: ioPatterns('../') }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'src/core is pure: configuration comes in as arguments.' },
        { name: 'setTimeout', message: 'src/core is pure: timers fire on watermark advance.' },
        { name: 'setInterval', message: 'src/core is pure: timers fire on watermark advance.' },
        { name: 'fetch', message: 'src/core is pure: no I/O.' },
        { name: 'performance', message: 'src/core is pure: time is an argument.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'src/core is pure: time is an argument, never read from a clock.' },
        { object: 'Math', property: 'random', message: 'src/core is deterministic: no randomness.' },
      ],
    },
  },
  {
    files: ['src/core/*/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ioPaths, patterns: ioPatterns('../../') }] },
  },
);
