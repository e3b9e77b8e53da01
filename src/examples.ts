/**
 * Where the example callback modules are, wherever the package was installed (a clone, a local
 * `node_modules`, `npm install -g`): help texts print this path, so it can be pasted as it is.
 */
import { fileURLToPath } from 'node:url';

export const EXAMPLES_DIR = fileURLToPath(new URL('../examples/', import.meta.url));
