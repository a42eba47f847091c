// Pure: the file source's `bfdProfiles`, MetalLB's BFDProfile with its field names and units (milliseconds), which a
// peer names with `bfdProfile`:
//
//   bfdProfiles:
//     - name: fast
//       receiveInterval: 100     # ms, 10-60000; default 300
//       transmitInterval: 100    # ms, 10-60000; default 300
//       detectMultiplier: 3      # 2-255; default 3
//       passiveMode: false       # wait for the peer's first packet
//       minimumTtl: 254          # multi-hop only, 1-254; default 254
//       echoMode: false          # refused when true, as the BFDProfile condition EchoModeNotSupported says
//
// The ranges are the CRD's (crds/v1beta1/bfdprofile.ts), the defaults and the echoMode rule lib/config's.
import { BFD_INTERVAL_MAX_MS, BFD_INTERVAL_MIN_MS } from '../../crds/v1beta1/index.js';
import { bfdProfileFromResource } from '../../lib/config/bgp.js';
import { quoteName } from '../membership/core/names.js';
import { isDict, listAt, nonEmptyString, problem, show, unknownKeys, type Dict } from './parse-fields.js';
import type { BfdProfileSpec } from './types.js';

const PROFILE_KEYS = ['name', 'receiveInterval', 'transmitInterval', 'detectMultiplier', 'echoInterval', 'echoMode', 'passiveMode', 'minimumTtl'];
const INTEGER_FIELDS: Record<string, [number, number]> = {
  receiveInterval: [BFD_INTERVAL_MIN_MS, BFD_INTERVAL_MAX_MS],
  transmitInterval: [BFD_INTERVAL_MIN_MS, BFD_INTERVAL_MAX_MS],
  echoInterval: [BFD_INTERVAL_MIN_MS, BFD_INTERVAL_MAX_MS],
  detectMultiplier: [2, 255],
  minimumTtl: [1, 254],
};

/** The `bfdProfiles` list, by name. */
export function parseBfdProfiles(doc: Dict, problems: string[]): Map<string, BfdProfileSpec> {
  const profiles = new Map<string, BfdProfileSpec>();
  listAt(doc, 'bfdProfiles', problems).forEach((raw, i) => {
    const profile = parseProfile(raw, `bfdProfiles[${i}]`, problems);
    if (profile === null) return;
    if (profiles.has(profile.name)) problems.push(`bfdProfiles: ${quoteName(profile.name)} is listed twice`);
    profiles.set(profile.name, profile);
  });
  return profiles;
}

function parseProfile(raw: unknown, at: string, problems: string[]): BfdProfileSpec | null {
  if (!isDict(raw)) return problem(problems, `${at}: must be a mapping, got ${show(raw)}`);
  unknownKeys(raw, PROFILE_KEYS, at, problems);
  const before = problems.length;
  const name = nonEmptyString(raw.name, `${at}.name`, problems);
  for (const [field, [min, max]] of Object.entries(INTEGER_FIELDS)) {
    const value = raw[field];
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
      problems.push(`${at}.${field}: must be an integer in ${min}-${max}, got ${show(value)}`);
    }
  }
  for (const field of ['echoMode', 'passiveMode']) {
    if (raw[field] !== undefined && typeof raw[field] !== 'boolean') problems.push(`${at}.${field}: must be true or false, got ${show(raw[field])}`);
  }
  if (problems.length !== before || name === null) return null;
  const { model, problem: refused } = bfdProfileFromResource({
    apiVersion: 'herald.dev/v1beta1', kind: 'BFDProfile', metadata: { name }, spec: raw,
  });
  if (model === undefined) return problem(problems, `${at}: ${refused?.message ?? 'refused'}`);
  return {
    name, receiveIntervalMs: model.receiveIntervalMs, transmitIntervalMs: model.transmitIntervalMs,
    detectMultiplier: model.detectMultiplier, passive: model.passiveMode, minimumTtl: model.minimumTtl,
  };
}
