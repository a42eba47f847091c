// What the cluster says about the same objects `kubectl herald validate` judges offline: the real kubectl apply's
// error lines (kube-apiserver's field errors) and the Ready condition the running controller writes on an object.
import { KINDS } from '../../crds/kinds.js';
import { GROUP, HERALD_NAMESPACE, VERSION } from '../../crds/v1beta1/index.js';
import { waitFor, type Env } from '../integration/harness.js';

/**
 * The field errors of a refused `kubectl apply`, one per entry: "field: message". kubectl prints one error after
 * `is invalid: `, and several as a list of "* " lines (or, in the Status message, a bracketed ", " list).
 */
export function applyErrors(stderr: string): string[] {
  const at = stderr.indexOf(' is invalid: ');
  if (at < 0) return [stderr.trim()];
  const rest = stderr.slice(at + ' is invalid: '.length).trim();
  if (rest.startsWith('* ')) return rest.split('\n').filter((l) => l.startsWith('* ')).map((l) => l.slice(2).trim());
  return [rest];
}

/** The message part of each line of `kubectl herald validate` about `object` (`Kind/name`). */
export function validateMessages(stdout: string, object: string): string[] {
  return stdout.split('\n').flatMap((line) => {
    const at = line.indexOf(`: ${object}: `);
    return at < 0 ? [] : [line.slice(at + object.length + 4)];
  });
}

const pluralOf = (kind: string): string => {
  const entry = KINDS.find((k) => k.kind === kind);
  if (!entry) throw new Error(`no Herald kind "${kind}"`);
  return entry.plural;
};

interface Ready { status: string; message: string }

async function readyOf(env: Env, kind: string, name: string): Promise<Ready | undefined> {
  const object = await env.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: pluralOf(kind), name })
    .catch(() => undefined) as { status?: { conditions?: { type: string; status: string; message: string }[] } } | undefined;
  return object?.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Waits for the controller's Ready condition of `kind/name` to carry `message` (False); on a timeout names what it had. */
export async function waitForReadyMessage(env: Env, kind: string, name: string, message: string): Promise<void> {
  let last: Ready | undefined;
  await waitFor(`${kind}/${name} Ready=False "${message}"`, async () => {
    last = await readyOf(env, kind, name);
    return last?.status === 'False' && last.message === message;
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}; the controller wrote ${JSON.stringify(last)}`, { cause: err });
  });
}
