// The guide's examples import the public API through this file so they run from the repo;
// in your own project write `from 'cepheus'` and `from 'cepheus/testing'`.
export * from '../../src/index.ts';
export * from '../../src/testing.ts';
