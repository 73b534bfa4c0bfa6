// Test helpers for the core tests: the public testing kit.
export { alertsOf, login, order, trade, transfer } from '../../../src/testing.ts';
