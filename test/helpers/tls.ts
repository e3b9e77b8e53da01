import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from './tmp.js';

export interface TestPki {
  /** The CA's certificate: what a client trusts. */
  ca: string;
  /** The server's certificate (for 127.0.0.1 and localhost, signed by the CA) and key. */
  cert: string;
  key: string;
  caPem: Buffer;
}

// A missing command fails the test with this line rather than a bare ENOENT.
const openssl = (args: string[], cwd: string): void => {
  try {
    execFileSync('openssl', args, { cwd, stdio: 'pipe' });
  } catch (err) {
    throw new Error(`the TLS tests need the openssl command (apt-get install openssl): ${(err as Error).message}`);
  }
};

/** A fresh private CA and a server certificate signed by it, made for this test and removed after it. */
export async function makePki(): Promise<TestPki> {
  const dir = await tmpDir();
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=evlog test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf'], dir);
  const ca = path.join(dir, 'ca.pem');
  return { ca, cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key'), caPem: readFileSync(ca) };
}
