/** The committed test PKI (certs/), loaded once. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface TestCerts {
  caCert: string;
  serverCert: string;
  serverKey: string;
  merchantCert: string;
  merchantKey: string;
}

const CERTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'certs');

export function loadCerts(dir = CERTS_DIR): TestCerts {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    caCert: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server-key.pem'),
    merchantCert: read('merchant.pem'),
    merchantKey: read('merchant-key.pem'),
  };
}
