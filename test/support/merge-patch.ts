// For tests and benchmarks that patch through client-node's generated APIs (the binaries send their own requests,
// lib/kube/request.ts): client-node 2.x sends PATCH bodies as JSON patch unless told otherwise; merge patches need
// the content type set per call through a header middleware.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** Pass as the second argument of a generated `patch…` call to send a JSON merge patch (RFC 7386). */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The same for a strategic merge patch (built-in kinds: lists such as conditions merge by key). */
export const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
