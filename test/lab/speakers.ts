// Running real speakers on the lab's nodes: the file source they read, the shared heartbeat key, and
// start/stop by recorded PID. A speaker runs what the image runs, `node FLAGS dist/speaker/speaker.mjs` (the
// bundle `npm run build` writes; rebuilt here when a source is newer), as one process: SIGKILL of the recorded
// PID must really kill the speaker. `fromSource` runs `node --import tsx speaker/main.ts` instead (not the
// `tsx` CLI, which forks a child).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from './lab.js';
import { execIn, findProc, killProc, sleep, spawnIn, type Spawned } from './exec.js';
import { NODES, STATE_DIR, hostByName, nsOf, v4Of } from './topology.js';

export interface VipSpec {
  ip: string;
  /** Eligible nodes; every node when omitted. */
  nodes?: readonly string[];
  interfaces?: readonly string[];
  /** How it is announced (layer2 when omitted). */
  modes?: readonly ('layer2' | 'bgp')[];
  /** The file source's per-IP BGP mapping (speaker/source/parse-bgp.ts): peers, localPref, communities. */
  bgp?: Readonly<Record<string, unknown>>;
}

export interface SpeakerConfig {
  ips: readonly VipSpec[];
  /** Election preference per node; 0 when omitted. */
  weights?: Readonly<Record<string, number>>;
  /** The file source's `bgpPeers`, as written there (speaker/source/parse-bgp.ts). */
  bgpPeers?: readonly Readonly<Record<string, unknown>>[];
  /** The file source's `bfdProfiles` (speaker/source/parse-bfd.ts). */
  bfdProfiles?: readonly Readonly<Record<string, unknown>>[];
}

export const SPEAKER_ENTRY = join(REPO_ROOT, 'speaker', 'main.ts');
/** What `npm run build` emits (scripts/bundle-speaker.ts) and the production image runs (Dockerfile). */
export const SPEAKER_BUNDLE = join(REPO_ROOT, 'dist', 'speaker', 'speaker.mjs');
const BUNDLE_SCRIPT = join(REPO_ROOT, 'scripts', 'bundle-speaker.ts');

/**
 * The speaker's command as production starts it, read from the Dockerfile's documented line
 * (`# speaker: [NAME=VALUE ...] node FLAGS dist/speaker/speaker.mjs`): the environment it sets and the node
 * flags, so the lab and the bench run what a user gets and the two cannot drift. Why these: docs/layer2.md, Memory.
 */
function speakerCommand(): { env: Record<string, string>; flags: string[] } {
  const path = join(REPO_ROOT, 'Dockerfile');
  const m = /^# speaker: ((?:[A-Z_]+=\S+ )*)node (.*)dist\/speaker\/speaker\.mjs$/m.exec(readFileSync(path, 'utf8'));
  if (m?.[2] === undefined) throw new Error(`${path}: no "# speaker: [NAME=VALUE ...] node ... dist/speaker/speaker.mjs" line`);
  const words = (text: string | undefined): string[] => (text ?? '').split(' ').filter((w) => w !== '');
  const env = Object.fromEntries(words(m[1]).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  return { env, flags: words(m[2]) };
}

/** The node flags of the speaker's production command. */
export function speakerNodeFlags(): string[] {
  return speakerCommand().flags;
}

/** The environment the speaker's production command sets (the DaemonSet's `env`; config/config.test.ts). */
export function speakerNodeEnv(): Record<string, string> {
  return speakerCommand().env;
}

function newestSource(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith('.ts') || path.endsWith('.json') ? stat.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))));
}

/**
 * Writes dist/speaker/speaker.mjs as `npm run build` does (the same script) when it is missing or older than a
 * source it comes from (speaker/, lib/, crds/, the two bundle scripts, package-lock.json); about a second with esbuild.
 */
export function ensureSpeakerBundle(): string {
  const built = existsSync(SPEAKER_BUNDLE) ? statSync(SPEAKER_BUNDLE).mtimeMs : 0;
  const sources = [...['speaker', 'lib', 'crds'].map((d) => join(REPO_ROOT, d)), BUNDLE_SCRIPT, join(REPO_ROOT, 'scripts', 'bundle-node.ts'), join(REPO_ROOT, 'package-lock.json')];
  if (built >= Math.max(...sources.map(newestSource))) return SPEAKER_BUNDLE;
  execFileSync(process.execPath, ['--import', 'tsx', BUNDLE_SCRIPT], { cwd: REPO_ROOT, stdio: 'inherit' });
  return SPEAKER_BUNDLE;
}

export interface StartOptions {
  /** Run speaker/main.ts under the tsx loader instead of the production bundle (to try a change without a build). */
  fromSource?: boolean;
  /** Extra environment (e.g. the footprint bench's HERALD_PACKET_FILTER=off). */
  env?: Readonly<Record<string, string>>;
  /** Outlive the caller (`npm run lab -- up --cluster`). */
  detached?: boolean;
}

export function speakerAvailable(): boolean {
  return existsSync(SPEAKER_ENTRY);
}

/** Writes the speakers' file source (the same file for every node) and returns its path. */
export function writeSpeakerConfig(config: SpeakerConfig, name = 'speakers.yaml'): string {
  mkdirSync(STATE_DIR, { recursive: true });
  const path = join(STATE_DIR, name);
  const doc = {
    nodes: NODES.map((n) => ({ name: n, address: v4Of(hostByName(n)), weight: config.weights?.[n] ?? 0 })),
    ips: config.ips.map((v) => ({
      ip: v.ip, ...(v.nodes ? { nodes: v.nodes } : {}), ...(v.interfaces ? { interfaces: v.interfaces } : {}),
      ...(v.modes ? { modes: v.modes } : {}), ...(v.bgp ? { bgp: v.bgp } : {}),
    })),
    ...(config.bgpPeers ? { bgpPeers: config.bgpPeers } : {}),
    ...(config.bfdProfiles ? { bfdProfiles: config.bfdProfiles } : {}),
  };
  writeFileSync(path, stringify(doc));
  return path;
}

/** The shared HMAC key, made once per lab (down removes it with the state dir). */
export function heartbeatKeyFile(): string {
  const path = join(STATE_DIR, 'heartbeat.key');
  if (!existsSync(path)) {
    mkdirSync(STATE_DIR, { recursive: true });
    writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return path;
}

export function speakerRole(node: string): string {
  return `speaker-${node}`;
}

export function startSpeaker(node: string, configPath: string, extraArgs: readonly string[] = [], options: StartOptions = {}): Spawned {
  return spawnSpeaker(node, ['--source', `file:${configPath}`, '--heartbeat-key-file', heartbeatKeyFile()], extraArgs, options);
}

/**
 * A speaker as the DaemonSet starts it (config/speaker/daemonset.yaml): `--source=kubernetes`, NODE_NAME,
 * POD_NAMESPACE and POD_IP (the node's address: the DaemonSet runs on the host network) from the downward API,
 * and a kubeconfig instead of the in-cluster service account. Its metrics then listen on the node's address.
 */
export function startClusterSpeaker(node: string, kubeconfig: string, extraArgs: readonly string[] = [], options: StartOptions = {}): Spawned {
  const env = { NODE_NAME: node, POD_NAMESPACE: 'herald-system', POD_IP: v4Of(hostByName(node)), ...options.env };
  return spawnSpeaker(node, ['--source=kubernetes', '--kubeconfig', kubeconfig], extraArgs, { ...options, env });
}

function spawnSpeaker(node: string, sourceArgs: readonly string[], extraArgs: readonly string[], options: StartOptions): Spawned {
  if (findProc(speakerRole(node))) throw new Error(`a speaker already runs on ${node}`);
  const entry = options.fromSource === true ? ['--import', 'tsx', SPEAKER_ENTRY] : [ensureSpeakerBundle()];
  const argv = [
    process.execPath, ...speakerNodeFlags(), ...entry,
    '--node-name', node, ...sourceArgs, '--log-level', process.env.HERALD_LAB_SPEAKER_LOG ?? 'info', ...extraArgs,
  ];
  const env = { ...process.env, ...speakerNodeEnv(), ...options.env };
  return spawnIn(nsOf(node), argv, { role: speakerRole(node), cwd: REPO_ROOT, detached: options.detached, env });
}

/** The speaker's default metrics port (speaker/main.ts --metrics-port). */
export const SPEAKER_METRICS_PORT = 7472;

/**
 * A speaker's /metrics text, from inside its node's namespace; '' when it does not answer. `host`: where its
 * metrics listen (loopback by default; the node's address for a speaker with POD_IP, startClusterSpeaker's).
 */
export async function speakerMetrics(node: string, host = '127.0.0.1'): Promise<string> {
  return execIn(nsOf(node), ['curl', '-s', '--max-time', '2', `http://${host}:${SPEAKER_METRICS_PORT}/metrics`])
    .then((r) => r.stdout, () => '');
}

/** The value of one metric series (name with its labels, as /metrics writes it), or 0 when absent. */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/**
 * Waits until `node`'s speaker says it announces `ip` (herald_speaker_announced{ip=...} 1). Only then
 * is a request for the IP the speaker's to answer: before, the client may still reach the node through
 * a neighbour entry left over from an earlier run, and a test that took that for "the speaker is up"
 * would time requests nobody was there to answer.
 */
export async function waitForAnnouncement(node: string, ip: string, timeoutMs = 20_000, metricsHost?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pattern = new RegExp(`^herald_speaker_announced\\{ip="${ip.replace(/[.:]/g, '\\$&')}"[^}]*\\} 1$`, 'm');
  while (!pattern.test(await speakerMetrics(node, metricsHost))) {
    if (Date.now() > deadline) throw new Error(`the speaker on ${node} did not announce ${ip} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Waits until `node`'s speaker holds quorum: it has joined the mesh and may announce. `host`: where its metrics
 * listen (the node's address for a speaker with the Kubernetes source, POD_IP; loopback for the file source's). A fault injected before that would leave too few members for the split-brain
 * rule, and a rolling restart that moved on earlier would take down two speakers at once.
 */
export async function waitForSpeakerQuorum(node: string, timeoutMs = 60_000, host = v4Of(hostByName(node))): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (metricValue(await speakerMetrics(node, host), 'herald_speaker_quorum') !== 1) {
    if (Date.now() > deadline) throw new Error(`the speaker on ${node} did not hold quorum within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Stops the node's speaker with `signal`; resolves once the process is gone. No-op if none runs. */
export async function stopSpeaker(node: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const record = findProc(speakerRole(node));
  if (record) await killProc(record, signal, 5000);
}

export async function stopAllSpeakers(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await Promise.all(NODES.map((n) => stopSpeaker(n, signal)));
}
