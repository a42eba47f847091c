// apps/v1 Deployments and DaemonSets as kube-apiserver stores them: defaults (pkg/apis/apps/v1/defaults.go
// and the pod template's), status reset on create and kept by the main endpoint, generation bumps, and the
// validation clients meet most (selector required, matching the template's labels, immutable). No controller
// runs behind them: status stays as written through /status, as on a cluster whose controller-manager is down.
import type { FieldError } from './errors.js';
import { goJson, goLabelSelector } from './gostring.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { daemonSetPrinter, deploymentPrinter, selectorString } from './printers-apps.js';
import { deepEqual } from './patch/json-util.js';
import { resourceType, type ResourceType, type Strategy } from './resource-type.js';
import { matchesLabels, parseLabelSelector } from './selectors.js';
import { isJsonObject, type JsonObject, type KubeObject } from './types.js';

const spec = (obj: KubeObject): JsonObject => {
  if (!isJsonObject(obj.spec)) obj.spec = {};
  return obj.spec as JsonObject;
};

function defaultDeployment(obj: KubeObject): void {
  const s = spec(obj);
  s.replicas ??= 1;
  const strategy: JsonObject = isJsonObject(s.strategy) ? s.strategy : {};
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling: JsonObject = isJsonObject(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
    rolling.maxUnavailable ??= '25%';
    rolling.maxSurge ??= '25%';
    strategy.rollingUpdate = rolling;
  }
  s.strategy = strategy;
  s.revisionHistoryLimit ??= 10;
  s.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(s.template);
}

function defaultDaemonSet(obj: KubeObject): void {
  const s = spec(obj);
  const strategy: JsonObject = isJsonObject(s.updateStrategy) ? s.updateStrategy : {};
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling: JsonObject = isJsonObject(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
    rolling.maxUnavailable ??= 1;
    rolling.maxSurge ??= 0;
    strategy.rollingUpdate = rolling;
  }
  s.updateStrategy = strategy;
  s.revisionHistoryLimit ??= 10;
  defaultPodTemplate(s.template);
}

/** ValidateDeploymentSpec / ValidateDaemonSetSpec: the selector and template checks. */
function validateWorkload(kind: string, obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const s = spec(obj);
  const errors: FieldError[] = [];
  const selector = s.selector;
  if (!isJsonObject(selector)) errors.push({ type: 'FieldValueRequired', field: 'spec.selector', message: '' });
  const selectorText = selectorString(selector);
  if (isJsonObject(selector) && selectorText === '') {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.selector', message: '',
      body: `Invalid value: ${goLabelSelector(selector)}: empty selector is invalid for ${kind.toLowerCase()}` });
  }
  const template = isJsonObject(s.template) ? s.template : {};
  const labels = isJsonObject(template.metadata) ? template.metadata.labels : undefined;
  if (selectorText !== '' && !matchesLabels(parseLabelSelector(selectorText), isJsonObject(labels) ? labels as Record<string, string> : undefined)) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: '',
      body: `Invalid value: ${goJson(labels)}: \`selector\` does not match template \`labels\`` });
  }
  const podSpec = isJsonObject(template.spec) ? template.spec : {};
  if (!Array.isArray(podSpec.containers) || podSpec.containers.length === 0) {
    errors.push({ type: 'FieldValueRequired', field: 'spec.template.spec.containers', message: '' });
  }
  if (kind === 'DaemonSet' && podSpec.restartPolicy !== 'Always') {
    errors.push({ type: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', value: podSpec.restartPolicy, message: 'supported values: "Always"' });
  }
  if (old && !deepEqual(selector, isJsonObject(old.spec) ? old.spec.selector : undefined)) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.selector', message: '', body: `Invalid value: ${goLabelSelector(selector)}: field is immutable` });
  }
  return errors;
}

/** The status fields Go encodes even at zero (no omitempty): DaemonSetStatus has four, DeploymentStatus none. */
const ZERO_STATUS: Record<string, JsonObject> = {
  Deployment: {},
  DaemonSet: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
};

function workloadStrategy(kind: string, applyDefaults: (obj: KubeObject) => void): Strategy {
  const zero = ZERO_STATUS[kind] ?? {};
  return {
    prepareCreate(obj) {
      applyDefaults(obj);
      obj.status = { ...zero }; // PrepareForCreate: Status = XStatus{}, encoded as Go encodes it
    },
    prepareUpdate(obj) {
      applyDefaults(obj);
      obj.status = { ...zero, ...(isJsonObject(obj.status) ? obj.status : {}) };
    },
    validate: (obj, old) => validateWorkload(kind, obj, old),
  };
}

export function workloadTypes(): ResourceType[] {
  const common = { group: 'apps', version: 'v1', namespaced: true, categories: ['all'], hasStatus: true, resetStatusOnCreate: true };
  return [
    resourceType({ ...common, plural: 'deployments', kind: 'Deployment', shortNames: ['deploy'], generation: 'specAndAnnotations',
      statusTakes: 'statusAndMetadataButLabels',
      strategy: workloadStrategy('Deployment', defaultDeployment), printer: deploymentPrinter }),
    resourceType({ ...common, plural: 'daemonsets', kind: 'DaemonSet', shortNames: ['ds'], generation: 'spec',
      strategy: workloadStrategy('DaemonSet', defaultDaemonSet), printer: daemonSetPrinter }),
  ];
}
