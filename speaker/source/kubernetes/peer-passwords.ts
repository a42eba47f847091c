// Pure: the Secrets of Herald's namespace as the speaker keeps them, and the TCP MD5 key each BGPPeer's
// passwordSecret names. One Secrets informer serves both readers: the heartbeat key Secret (secret-keys.ts) and the
// peers' passwords, kept as MetalLB keeps them: the "password" key of a Secret of type kubernetes.io/basic-auth in
// the speaker's own namespace. Whether a reference is usable is lib/config's rule (passwordSecretProblem, the one the
// controller writes as SecretNotFound / InvalidSecret); the value itself is never put in a message.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { BGPPeer } from '../../../crds/v1beta1/index.js';
import { PASSWORD_SECRET_KEY, PASSWORD_SECRET_TYPE, passwordSecretProblem } from '../../../lib/config/bgp-peers.js';
import { q } from '../../../lib/config/bgp-shared.js';
import { parseMd5Password } from '../../../lib/config/bgp-values.js';
import type { SecretSummary } from '../../../lib/config/index.js';
import { secretKeys, type KeysView } from './secret-keys.js';

/** A Secret's password as read: its text, or why it cannot be a TCP MD5 key (never quoting it). */
export type SecretPassword = { ok: true; value: string } | { ok: false; why: string };

/** What the cache keeps of one Secret: the summary lib/config judges, and only the data one of the readers uses. */
export interface SecretView extends SecretSummary {
  /** The heartbeat key Secret's keys (only on that Secret). */
  heartbeat?: KeysView;
  /** A kubernetes.io/basic-auth Secret's "password" entry. */
  password?: SecretPassword;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The view of `secret`; `heartbeat` names the heartbeat key Secret and its data key. */
export function secretView(secret: KubernetesObject, heartbeat: { name: string; key: string }): SecretView {
  const { type, data } = secret as { type?: string; data?: Record<string, string> };
  const name = secret.metadata?.name ?? '';
  const view: SecretView = { name, type, keys: Object.keys(data ?? {}).sort() };
  if (name === heartbeat.name) view.heartbeat = secretKeys(secret, heartbeat.key);
  const encoded = data?.[PASSWORD_SECRET_KEY];
  if (type === PASSWORD_SECRET_TYPE && encoded !== undefined) view.password = decodePassword(encoded);
  return view;
}

function decodePassword(encoded: string): SecretPassword {
  try {
    return { ok: true, value: utf8.decode(Buffer.from(encoded, 'base64')) };
  } catch {
    return { ok: false, why: `its "${PASSWORD_SECRET_KEY}" is not UTF-8 text` };
  }
}

/** What a peer's session is opened with: the key, or why no session can be opened. */
export type PeerPasswordOutcome = { ok: true; password: string } | { ok: false; why: string };

/**
 * For every peer that names a passwordSecret: the key its Secret holds, or why it cannot be used (the Secret is
 * missing, in another namespace, of another type, without a "password", or that password is no TCP MD5 key).
 */
export function peerPasswords(peers: readonly BGPPeer[], secrets: { namespace: string; secrets: readonly SecretView[] }): Map<string, PeerPasswordOutcome> {
  const outcomes = new Map<string, PeerPasswordOutcome>();
  for (const peer of peers) {
    const ref = peer.spec.passwordSecret;
    const name = peer.metadata.name ?? '';
    if (!ref?.name) continue;
    const problem = passwordSecretProblem(peer, secrets);
    if (problem !== undefined) {
      outcomes.set(name, { ok: false, why: problem.message });
      continue;
    }
    const read = secrets.secrets.find((s) => s.name === ref.name)?.password;
    const parsed = read === undefined || !read.ok ? read : parseMd5Password(read.value);
    if (parsed?.ok === true) outcomes.set(name, { ok: true, password: parsed.value });
    else outcomes.set(name, { ok: false, why: `BGPPeer ${q(name)}: passwordSecret ${q(ref.name)}: ${parsed?.why ?? 'it has no password'}` });
  }
  return outcomes;
}
