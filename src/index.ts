// The package entry point for rule authors: `import { sequence, keyBy, minutes } from 'cepheus'`.
export * from './core/index.ts';
