/**
 * The merged tests again, with each file's head reader closed at rest at every quiet moment (see
 * merge/head.ts) and opened again at its next change: across rotations, resumes and restarts,
 * still nothing may be lost, duplicated or reordered, in the index or for a client.
 */
import { restLimits } from '../../../src/sources/merge/head.js';

restLimits.afterMs = 0;
await import('./merged-rotation.test.js');
await import('./merged.test.js');
await import('./merged-many.test.js');
