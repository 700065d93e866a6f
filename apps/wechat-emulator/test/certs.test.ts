import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MERCHANT } from '../src/index';
import { issueCa, issueMerchantCert } from '../src/pki';
import { loadCerts, merchantCerts } from '../src/tls';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** The certs script, writing into `dir` instead of certs/. */
function certsScript(dir: string, args: string[], env: Record<string, string> = {}) {
  return run(join(PKG, 'node_modules/.bin/tsx'), [join(PKG, 'scripts/generate-certs.ts'), ...args], {
    env: { ...process.env, EMULATOR_CERTS_DIR: dir, EMULATOR_CONFIG: '', ...env },
    // RSA key generation is CPU-bound: this only bounds a hung script, not a slow machine.
    timeout: 120_000,
  });
}

const COMMITTED = [
  'ca.pem',
  'ca-key.pem',
  'server.pem',
  'server-key.pem',
  'merchant.pem',
  'merchant-key.pem',
  'platform.pem',
  'platform-key.pem',
  'wechatpay-public-key.pem',
  'wechatpay-public-key-private.pem',
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emu-certs-'));
  // The committed PKI only: merchant-<mch_id>.pem files a developer issued into certs/ must not change the outcome.
  for (const file of COMMITTED) cpSync(join(PKG, 'certs', file), join(dir, file));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const issuedBy = (cert: string, ca: string) => new X509Certificate(cert).verify(new X509Certificate(ca).publicKey);

// Up to four script runs per test, each bounded above.
describe('certs script and per-merchant client certificates', { timeout: 600_000 }, () => {
  it('the committed PKI keeps its CA key, and merchant.pem is the default merchant’s (CN=10000100)', () => {
    const pki = loadCerts();
    expect(existsSync(join(PKG, 'certs/ca-key.pem'))).toBe(true);
    expect(new X509Certificate(pki.merchantCert).subject).toContain(`CN=${DEFAULT_MERCHANT.mchId}`);
    expect(issuedBy(pki.merchantCert, pki.caCert)).toBe(true);
    expect(issuedBy(pki.serverCert, pki.caCert)).toBe(true);
  });

  it('issues merchant-<mch_id>.pem under the committed CA, per argument or per merchant of EMULATOR_CONFIG; the loader prefers those files', async () => {
    await certsScript(dir, ['1900000109', DEFAULT_MERCHANT.mchId]);
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'merchant-1900000109.pem'), 'utf8');
    expect(new X509Certificate(cert).subject).toContain('CN=1900000109');
    expect(issuedBy(cert, ca)).toBe(true);
    expect(existsSync(join(dir, `merchant-${DEFAULT_MERCHANT.mchId}.pem`))).toBe(false); // that one is merchant.pem
    const certFor = merchantCerts(loadCerts(dir), dir);
    expect(certFor('1900000109')).toEqual({
      cert,
      key: readFileSync(join(dir, 'merchant-1900000109-key.pem'), 'utf8'),
    });

    const config = join(dir, 'merchants.json');
    writeFileSync(
      config,
      JSON.stringify([DEFAULT_MERCHANT, { ...DEFAULT_MERCHANT, appId: 'wx2', mchId: '1230000109' }]),
    );
    await certsScript(dir, [], { EMULATOR_CONFIG: config });
    expect(issuedBy(readFileSync(join(dir, 'merchant-1230000109.pem'), 'utf8'), ca)).toBe(true);

    await expect(certsScript(dir, [])).rejects.toThrow(/usage/);
    await expect(certsScript(dir, ['../evil'])).rejects.toThrow(/cannot name a certificate/);
  });

  it('--new-ca writes a whole PKI under a new CA, into a folder not made yet, and removes the old CA’s merchant files', async () => {
    const fresh = join(dir, 'fresh');
    await certsScript(fresh, ['--new-ca']);
    const pki = loadCerts(fresh);
    expect(pki.caCert).not.toBe(loadCerts().caCert);
    expect(issuedBy(pki.serverCert, pki.caCert)).toBe(true);
    expect(issuedBy(pki.merchantCert, pki.caCert)).toBe(true);
    expect(new X509Certificate(pki.merchantCert).subject).toContain(`CN=${DEFAULT_MERCHANT.mchId}`);
    expect(existsSync(join(fresh, 'ca-key.pem'))).toBe(true);

    await certsScript(fresh, ['1900000109']);
    await certsScript(fresh, ['--new-ca']);
    expect(existsSync(join(fresh, 'merchant-1900000109.pem'))).toBe(false);
    expect(existsSync(join(fresh, 'merchant-1900000109-key.pem'))).toBe(false);
    expect(
      issuedBy(readFileSync(join(fresh, 'merchant.pem'), 'utf8'), readFileSync(join(fresh, 'ca.pem'), 'utf8')),
    ).toBe(true);
  });

  it('a merchant file from another CA is refused with a clear message; without ca-key.pem nothing can be issued', () => {
    const stale = issueMerchantCert(issueCa(), '1900000109');
    writeFileSync(join(dir, 'merchant-1900000109.pem'), stale.cert);
    writeFileSync(join(dir, 'merchant-1900000109-key.pem'), stale.key);
    const certFor = merchantCerts(loadCerts(dir), dir);
    expect(() => certFor('1900000109')).toThrow(/was not issued by .*ca\.pem/);
    rmSync(join(dir, 'ca-key.pem'));
    expect(() => certFor('1230000109')).toThrow(/ca-key\.pem is missing/);
  });
});
