// The controller's pure core: createControllerCore implements controller/core-api.ts.
export { createControllerCore, type HeraldControllerCore } from './core.js';
export { kubeTime, poolFigures, type PoolFigure } from './status.js';
export { decideService, requestedIPs, serviceKey, sharingTerms, type ServiceDecision } from './request.js';
export { wrongNamespaceEvent, type StrayPoolEvent } from './stray-pools.js';
