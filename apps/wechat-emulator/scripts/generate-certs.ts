/**
 * Writes the emulator's TEST-ONLY PKI into certs/ (see certs/README.md). 20 years valid.
 *
 *   certs <mch_id>...   a client certificate merchant-<mch_id>.pem (+ -key.pem) for each mch_id, under the committed CA
 *   certs               the same for every merchant in $EMULATOR_CONFIG
 *   certs --new-ca      a new CA (ca.pem, ca-key.pem), server certificate and default merchant.pem (CN=10000100),
 *                       and the v3 platform material (below); removes the merchant-*.pem of the old CA
 *   certs --platform    a new v3 platform certificate (platform.pem, platform-key.pem, under the committed CA)
 *                       and WeChat Pay public key pair (wechatpay-public-key.pem, wechatpay-public-key-private.pem)
 *
 * Run: ./scripts/pnpm.sh --filter @wxpay-shop/wechat-emulator certs [--new-ca | mch_id...]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MERCHANT, loadMerchantsFile } from '../src/config';
import {
  issueCa,
  issueMerchantCert,
  issuePlatformCert,
  issueServerCert,
  issueWechatpayPublicKey,
  type Pem,
} from '../src/pki';

// EMULATOR_CERTS_DIR only redirects the output (the emulator always loads certs/), e.g. for the script's own test.
const outDir = process.env.EMULATOR_CERTS_DIR || join(dirname(fileURLToPath(import.meta.url)), '..', 'certs');
const args = process.argv.slice(2);

function write(files: Record<string, string>): void {
  for (const [name, pem] of Object.entries(files)) writeFileSync(join(outDir, name), pem);
  console.log(`wrote ${Object.keys(files).join(', ')} to ${outDir}`);
}

function newCa(): void {
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir))
    if (/^merchant-.+\.pem$/.test(name) && name !== 'merchant-key.pem') rmSync(join(outDir, name));
  const ca = issueCa();
  const server = issueServerCert(ca);
  const merchant = issueMerchantCert(ca, DEFAULT_MERCHANT.mchId);
  write({
    'ca.pem': ca.cert,
    'ca-key.pem': ca.key,
    'server.pem': server.cert,
    'server-key.pem': server.key,
    'merchant.pem': merchant.cert,
    'merchant-key.pem': merchant.key,
  });
  platform(ca);
}

/** API v3: the platform certificate and the WeChat Pay public key the emulator signs with. */
function platform(ca: Pem): void {
  const cert = issuePlatformCert(ca);
  const publicKey = issueWechatpayPublicKey();
  write({
    'platform.pem': cert.cert,
    'platform-key.pem': cert.key,
    'wechatpay-public-key.pem': publicKey.publicKey,
    'wechatpay-public-key-private.pem': publicKey.key,
  });
}

function committedCa(): Pem {
  const caKey = join(outDir, 'ca-key.pem');
  if (!existsSync(caKey)) throw new Error(`${caKey} is missing: run with --new-ca first`);
  return { cert: readFileSync(join(outDir, 'ca.pem'), 'utf8'), key: readFileSync(caKey, 'utf8') };
}

function merchantCerts(mchIds: string[]): void {
  const ca = committedCa();
  for (const mchId of new Set(mchIds)) {
    if (mchId === DEFAULT_MERCHANT.mchId) {
      console.log(`${mchId} uses merchant.pem`);
      continue;
    }
    const pem = issueMerchantCert(ca, mchId);
    write({ [`merchant-${mchId}.pem`]: pem.cert, [`merchant-${mchId}-key.pem`]: pem.key });
  }
}

if (args.includes('--new-ca')) {
  if (args.length > 1) throw new Error('--new-ca takes no mch_id: issue merchant certificates in a second run');
  newCa();
} else if (args.includes('--platform')) {
  if (args.length > 1) throw new Error('--platform takes no other argument');
  platform(committedCa());
} else if (args.length > 0) {
  merchantCerts(args);
} else if (process.env.EMULATOR_CONFIG) {
  merchantCerts(loadMerchantsFile(process.env.EMULATOR_CONFIG).map((m) => m.mchId));
} else {
  console.error('usage: certs <mch_id>... | certs (merchants of $EMULATOR_CONFIG) | certs --new-ca | certs --platform');
  process.exit(1);
}
