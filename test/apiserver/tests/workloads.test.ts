// apps/v1 Deployments and DaemonSets through the real client-node: kube's defaults, status reset and the
// status subresource, generation bumps (Deployments also on annotations), validation, strategic merge.
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1DaemonSet, type V1Deployment } from '@kubernetes/client-node';
import { statusOf, uniqueName, useApiServer } from './helpers.js';

const server = useApiServer();
let apps: AppsV1Api;
let namespace: string;

beforeAll(() => {
  apps = server().kubeConfig().makeApiClient(AppsV1Api);
});

beforeEach(async () => {
  namespace = uniqueName('apps');
  await server().kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
});

const labels = { app: 'web' };
const podTemplate = (image: string) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }],
    readinessProbe: { httpGet: { port: 80 } } }] },
});
const deployment = (name: string, image = 'nginx:1.27'): V1Deployment => ({
  metadata: { name }, spec: { selector: { matchLabels: labels }, template: podTemplate(image) },
});
const daemonSet = (name: string, image = 'nginx:1.27'): V1DaemonSet => ({
  metadata: { name }, spec: { selector: { matchLabels: labels }, template: podTemplate(image) },
});
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

describe('Deployment', () => {
  test('create applies kube\'s defaults, generation 1 and an empty status whatever was sent', async () => {
    const created = await apps.createNamespacedDeployment({ namespace,
      body: { ...deployment('web', 'nginx'), status: { replicas: 5 } } });
    expect(created.metadata?.generation).toBe(1);
    expect(created.status).toEqual({});
    expect(created.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    const pod = created.spec?.template.spec;
    expect(pod).toMatchObject({ dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler',
      securityContext: {}, terminationGracePeriodSeconds: 30 });
    expect(pod?.containers[0]).toMatchObject({ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File', ports: [{ containerPort: 80, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/', port: 80, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10,
        successThreshold: 1, failureThreshold: 3 } });
  });

  test('a tagged image defaults to IfNotPresent', async () => {
    const created = await apps.createNamespacedDeployment({ namespace, body: deployment('tagged', 'registry:5000/web:1.0') });
    expect(created.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
  });

  test('generation follows spec and annotation changes, not labels or status', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('gen') });
    const patch = (body: object) => apps.patchNamespacedDeployment({ namespace, name: 'gen', body }, merge);
    expect((await patch({ metadata: { labels: { x: 'y' } } })).metadata?.generation).toBe(1);
    expect((await patch({ spec: { replicas: 3 } })).metadata?.generation).toBe(2);
    expect((await patch({ metadata: { annotations: { note: 'a' } } })).metadata?.generation).toBe(3);
    const status = await apps.patchNamespacedDeploymentStatus({ namespace, name: 'gen', body: {
      metadata: { labels: { via: 'status' }, annotations: { via: 'status' } }, spec: { replicas: 9 }, status: { readyReplicas: 2, replicas: 3 } } }, merge);
    expect(status.metadata?.generation).toBe(3);
    expect(status.metadata?.labels).toEqual({ x: 'y' }); // a Deployment's /status keeps its labels, takes the rest of metadata
    expect(status.metadata?.annotations).toEqual({ note: 'a', via: 'status' });
    expect(status.spec?.replicas).toBe(3);
    expect(status.status).toEqual({ readyReplicas: 2, replicas: 3 });
    const viaMain = await patch({ status: { readyReplicas: 0 } });
    expect(viaMain.status?.readyReplicas).toBe(2);
  });

  test('a selector that does not match the template labels is 422 with kube\'s message', async () => {
    const body = deployment('bad');
    body.spec = { ...body.spec, selector: { matchLabels: { app: 'other' } } } as V1Deployment['spec'];
    const status = await statusOf(() => apps.createNamespacedDeployment({ namespace, body }));
    expect(status).toMatchObject({ code: 422, reason: 'Invalid',
      message: 'Deployment.apps "bad" is invalid: spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`' });
  });

  test('the selector is immutable', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('fixed') });
    const status = await statusOf(() => apps.patchNamespacedDeployment({ namespace, name: 'fixed', body: {
      spec: { selector: { matchLabels: { app: 'web', tier: 'a' } }, template: { metadata: { labels: { app: 'web', tier: 'a' } } } } } }, merge));
    expect(status).toMatchObject({ code: 422,
      message: 'Deployment.apps "fixed" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"a"}}: field is immutable' });
  });

  test('strategic merge patches containers by name and env by name (a new entry ahead of the old ones)', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('smp') });
    const patched = await apps.patchNamespacedDeployment({ namespace, name: 'smp', body: { spec: { template: { spec: {
      containers: [{ name: 'web', image: 'nginx:1.28', env: [{ name: 'B', value: '2' }] }] } } } } }, strategic);
    const container = patched.spec?.template.spec?.containers[0];
    expect(patched.spec?.template.spec?.containers).toHaveLength(1);
    expect(container?.image).toBe('nginx:1.28');
    expect(container?.env).toEqual([{ name: 'B', value: '2' }, { name: 'A', value: '1' }]);
    expect(container?.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });
});

describe('DaemonSet', () => {
  test('create defaults the update strategy and resets status to its zero (four counters Go always encodes)', async () => {
    const created = await apps.createNamespacedDaemonSet({ namespace, body: { ...daemonSet('speaker'), status: { numberReady: 3 } as V1DaemonSet['status'] } });
    expect(created.spec).toMatchObject({ revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } });
    expect(created.status).toEqual({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
    expect(created.metadata?.generation).toBe(1);
  });

  test('generation follows the spec only; annotations do not bump it', async () => {
    await apps.createNamespacedDaemonSet({ namespace, body: daemonSet('gen') });
    const patch = (body: object) => apps.patchNamespacedDaemonSet({ namespace, name: 'gen', body }, merge);
    expect((await patch({ metadata: { annotations: { note: 'a' } } })).metadata?.generation).toBe(1);
    expect((await patch({ spec: { minReadySeconds: 5 } })).metadata?.generation).toBe(2);
  });

  test('a restartPolicy other than Always is rejected', async () => {
    const body = daemonSet('never');
    body.spec = { ...body.spec, template: { ...podTemplate('nginx:1'), spec: { ...podTemplate('nginx:1').spec, restartPolicy: 'Never' } } } as V1DaemonSet['spec'];
    const status = await statusOf(() => apps.createNamespacedDaemonSet({ namespace, body }));
    expect(status.message).toBe('DaemonSet.apps "never" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"');
  });

  test('list and delete', async () => {
    await apps.createNamespacedDaemonSet({ namespace, body: daemonSet('a') });
    await apps.createNamespacedDaemonSet({ namespace, body: daemonSet('b') });
    expect((await apps.listNamespacedDaemonSet({ namespace })).items.map((d) => d.metadata?.name)).toEqual(['a', 'b']);
    await apps.deleteNamespacedDaemonSet({ namespace, name: 'a' });
    expect((await apps.listNamespacedDaemonSet({ namespace })).items.map((d) => d.metadata?.name)).toEqual(['b']);
  });
});
