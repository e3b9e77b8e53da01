/**
 * The rotation and following tests again, with every idle descriptor closed as soon as it is idle
 * (see idle-files.ts): each file then has to be found again by path, identity and fingerprint
 * between almost any two appends, and rotated while parked, and still nothing may be lost,
 * duplicated or reordered.
 */
import { idleLimits } from '../../../../src/sources/file/idle-files.js';

idleLimits.maxIdle = 0;
await import('./rotation.test.js');
await import('./follow.test.js');
