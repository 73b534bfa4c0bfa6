// The thread checkBundleOffThread runs a bundle's checks on (check-bundle.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { checkInThisThread } from './check-bundle.ts';

parentPort?.postMessage(await checkInThisThread(workerData as Parameters<typeof checkInThisThread>[0]));
