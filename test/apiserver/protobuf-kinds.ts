// Protobuf schemas of the kinds kubectl's typed generators send (`kubectl create namespace|secret|configmap|
// serviceaccount|deployment|role|clusterrole|rolebinding|clusterrolebinding`), with the field numbers of
// k8s.io/api's generated.proto. Only the fields those generators can set are listed; others are skipped.
import type { Schema } from './protobuf.js';

const OBJECT_META: Schema = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'],
  11: ['labels', 'stringMap'], 12: ['annotations', 'stringMap'], 14: ['finalizers', 'stringList'],
};

const LABEL_SELECTOR: Schema = {
  1: ['matchLabels', 'stringMap'],
  2: ['matchExpressions', { list: { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'stringList'] } }],
};

const CONTAINER: Schema = {
  1: ['name', 'string'], 2: ['image', 'string'], 3: ['command', 'stringList'], 4: ['args', 'stringList'], 5: ['workingDir', 'string'],
  6: ['ports', { list: { 1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] } }],
  7: ['env', { list: { 1: ['name', 'string'], 2: ['value', 'string'] } }],
  8: ['resources', {}],
  13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 20: ['terminationMessagePolicy', 'string'],
};

const POD_TEMPLATE: Schema = {
  1: ['metadata', OBJECT_META],
  2: ['spec', {
    2: ['containers', { list: CONTAINER }], 3: ['restartPolicy', 'string'], 4: ['terminationGracePeriodSeconds', 'optInt'],
    6: ['dnsPolicy', 'string'], 7: ['nodeSelector', 'stringMap'], 8: ['serviceAccountName', 'string'], 11: ['hostNetwork', 'bool'],
    19: ['schedulerName', 'string'], 20: ['initContainers', { list: CONTAINER }],
  }],
};

const POLICY_RULE: Schema = {
  1: ['verbs', 'stringList'], 2: ['apiGroups', 'stringList'], 3: ['resources', 'stringList'], 4: ['resourceNames', 'stringList'],
  5: ['nonResourceURLs', 'stringList'],
};

const BINDING: Schema = {
  1: ['metadata', OBJECT_META],
  2: ['subjects', { list: { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] } }],
  3: ['roleRef', { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] }],
};

export const PROTOBUF_KINDS: Record<string, Schema> = {
  Namespace: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['finalizers', 'stringList'] }] },
  Secret: { 1: ['metadata', OBJECT_META], 2: ['data', 'bytesMap'], 3: ['type', 'string'], 4: ['stringData', 'stringMap'], 5: ['immutable', 'optBool'] },
  ConfigMap: { 1: ['metadata', OBJECT_META], 2: ['data', 'stringMap'], 3: ['binaryData', 'bytesMap'], 4: ['immutable', 'optBool'] },
  ServiceAccount: { 1: ['metadata', OBJECT_META], 3: ['imagePullSecrets', { list: { 1: ['name', 'string'] } }],
    4: ['automountServiceAccountToken', 'optBool'] },
  Deployment: {
    1: ['metadata', OBJECT_META],
    2: ['spec', { 1: ['replicas', 'optInt'], 2: ['selector', LABEL_SELECTOR], 3: ['template', POD_TEMPLATE], 4: ['strategy', { 1: ['type', 'string'] }],
      5: ['minReadySeconds', 'int'], 6: ['revisionHistoryLimit', 'optInt'], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'optInt'] }],
  },
  Role: { 1: ['metadata', OBJECT_META], 2: ['rules', { list: POLICY_RULE }] },
  ClusterRole: { 1: ['metadata', OBJECT_META], 2: ['rules', { list: POLICY_RULE }],
    3: ['aggregationRule', { 1: ['clusterRoleSelectors', { list: LABEL_SELECTOR }] }] },
  RoleBinding: BINDING,
  ClusterRoleBinding: BINDING,
};
