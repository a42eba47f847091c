// kube-proxy's iptables chain names for one Service port, as kube-proxy (iptables mode) derives them: the prefix
// (KUBE-SVC-, KUBE-SVL-, KUBE-EXT-, KUBE-FW-, KUBE-SEP-) and the first 16 characters of the base32 (RFC 4648,
// upper case) encoding of SHA-256 over the service port's name, its protocol in lower case, and for an endpoint
// chain the endpoint's "IP:port". The name is "namespace/service" plus ":portName" when the port has a name.
// iptables limits chain names to 28 characters, hence the cut. The real kube-proxy judges this file
// (test/cli/explain-kube-proxy.test.ts compares its iptables-save with what we print).
import { createHash } from 'node:crypto';
import { canonicalAddress } from '../../lib/ip/index.js';

export type ChainPrefix = 'KUBE-SVC-' | 'KUBE-SVL-' | 'KUBE-EXT-' | 'KUBE-FW-' | 'KUBE-SEP-';

/** The protocols a Service port can have; kube-proxy hashes them in lower case. */
export type ServiceProtocol = 'TCP' | 'UDP' | 'SCTP';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HASH_CHARACTERS = 16;

/** The RFC 4648 base32 text of `bytes`, for whole 5-byte groups (all the chain hash needs: 16 characters = 10 bytes). */
function base32(bytes: Uint8Array): string {
  if (bytes.length % 5 !== 0) throw new Error(`base32 here takes whole 5-byte groups, not ${bytes.length} bytes`);
  let text = '';
  for (let group = 0; group < bytes.length; group += 5) {
    let bits = 0n;
    for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(bytes[group + i] ?? 0);
    for (let shift = 35n; shift >= 0n; shift -= 5n) text += BASE32_ALPHABET[Number((bits >> shift) & 31n)];
  }
  return text;
}

function chainHash(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  return base32(digest.subarray(0, (HASH_CHARACTERS * 5) / 8));
}

/** "namespace/name:port" (":port" only when the Service port has a name), kube-proxy's ServicePortName. */
export function servicePortName(namespace: string, name: string, portName: string | undefined): string {
  return `${namespace}/${name}${portName ? `:${portName}` : ''}`;
}

/** "IP:port" with an IPv6 address in brackets and in its canonical form, as kube-proxy writes an endpoint. */
export function endpointText(ip: string, port: number): string {
  const canonical = canonicalAddress(ip);
  return canonical.includes(':') ? `[${canonical}]:${port}` : `${canonical}:${port}`;
}

/** A per-Service-port chain (every prefix but KUBE-SEP-). */
export function servicePortChain(prefix: Exclude<ChainPrefix, 'KUBE-SEP-'>, portName: string, protocol: ServiceProtocol): string {
  return prefix + chainHash(portName + protocol.toLowerCase());
}

/** The KUBE-SEP- chain of one endpoint (`endpoint` as endpointText writes it) of a Service port. */
export function endpointChain(portName: string, protocol: ServiceProtocol, endpoint: string): string {
  return 'KUBE-SEP-' + chainHash(portName + protocol.toLowerCase() + endpoint);
}
