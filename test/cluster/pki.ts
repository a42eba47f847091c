// The control plane's certificates and keys, made with the openssl command (Node can make keys but not
// certificates): a CA, kube-apiserver's serving certificate, client certificates for the admin (group
// system:masters) and for kube-controller-manager, and the service-account signing key pair. Elliptic-curve
// keys (P-256), because they are made in milliseconds where RSA takes a while.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

async function openssl(args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args);
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`openssl ${args[0] ?? ''} failed${stderr ? `: ${stderr}` : ''}`, { cause });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface Pki {
  dir: string;
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  controllerManagerCert: string;
  controllerManagerKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** A certificate signed by the CA in `dir` (OpenSSL 3's `req -x509 -CA`), valid for a year. */
async function signed(dir: string, name: string, subject: string, extensions: string[]): Promise<void> {
  await openssl(['req', '-x509', ...EC_KEY, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`),
    '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-days', '365', '-subj', subject,
    ...extensions.flatMap((e) => ['-addext', e])]);
}

export async function makePki(dir: string, serviceIPs: string[]): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await openssl(['req', '-x509', ...EC_KEY, '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'),
    '-days', '365', '-subj', '/CN=herald-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  const serverNames = ['DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc',
    'IP:127.0.0.1', ...serviceIPs.map((ip) => `IP:${ip}`)];
  const leaf = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment'];
  await Promise.all([
    signed(dir, 'apiserver', '/CN=kube-apiserver', [...leaf, 'extendedKeyUsage=serverAuth', `subjectAltName=${serverNames.join(',')}`]),
    signed(dir, 'admin', '/O=system:masters/CN=herald-test-admin', [...leaf, 'extendedKeyUsage=clientAuth']),
    signed(dir, 'controller-manager', '/CN=system:kube-controller-manager', [...leaf, 'extendedKeyUsage=clientAuth']),
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', join(dir, 'sa.key')]),
  ]);
  await openssl(['pkey', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')]);
  return {
    dir, caCert: join(dir, 'ca.crt'), servingCert: join(dir, 'apiserver.crt'), servingKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'), adminKey: join(dir, 'admin.key'),
    controllerManagerCert: join(dir, 'controller-manager.crt'), controllerManagerKey: join(dir, 'controller-manager.key'),
    serviceAccountKey: join(dir, 'sa.key'), serviceAccountPub: join(dir, 'sa.pub'),
  };
}

/** A file's contents as kubeconfig's *-data fields want them. */
export function base64File(path: string): string {
  return readFileSync(path).toString('base64');
}
