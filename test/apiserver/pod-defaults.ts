// The defaults kube-apiserver gives a pod template (k8s.io/kubernetes pkg/apis/core/v1/defaults.go), so a
// Deployment or DaemonSet reads back as it does from a real cluster. Pod-only defaults (requests copied from
// limits, enableServiceLinks, hostPort from containerPort under hostNetwork) are not applied to templates, as in kube.
import { isJsonObject, type JsonObject } from './types.js';

function objects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/** parsers.ParseImageName: no tag and no digest means "latest". */
function imageTag(image: string): string {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  if (colon >= 0) return lastPart.slice(colon + 1);
  return image.includes('@') ? '' : 'latest';
}

function defaultProbe(probe: unknown): void {
  if (!isJsonObject(probe)) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (isJsonObject(probe.httpGet)) {
    probe.httpGet.path ??= '/';
    probe.httpGet.scheme ??= 'HTTP';
  }
}

function defaultContainer(container: JsonObject): void {
  container.imagePullPolicy ??= imageTag(String(container.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  for (const port of objects(container.ports)) port.protocol ??= 'TCP';
  for (const env of objects(container.env)) {
    const fieldRef = isJsonObject(env.valueFrom) ? env.valueFrom.fieldRef : undefined;
    if (isJsonObject(fieldRef)) fieldRef.apiVersion ??= 'v1';
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(container[probe]);
}

function defaultVolume(volume: JsonObject): void {
  for (const source of ['secret', 'configMap', 'projected', 'downwardAPI']) {
    const value = volume[source];
    if (isJsonObject(value)) value.defaultMode ??= 420;
  }
  if (isJsonObject(volume.hostPath)) volume.hostPath.type ??= '';
}

/** SetDefaults_PodSpec and what it calls for containers, probes, ports and volumes. */
export function defaultPodTemplate(template: unknown): void {
  if (!isJsonObject(template) || !isJsonObject(template.spec)) return;
  const spec = template.spec;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  for (const container of [...objects(spec.initContainers), ...objects(spec.containers)]) defaultContainer(container);
  for (const volume of objects(spec.volumes)) defaultVolume(volume);
}
