// The controller's pure core: createControllerCore implements controller/core-api.ts.
export { createControllerCore } from './core.js';
export { kubeTime } from './status.js';
export { decideService, requestedIPs, serviceKey, sharingTerms, type ServiceDecision } from './request.js';
export { wrongNamespaceEvent, type StrayPoolEvent } from './stray-pools.js';
export {
  advertisementOutcomes, advertisementProblems, advertisementReady, type AdvertisementInputs, type PoolLabels, type SpeakerInterfaces,
} from './advertisement-status.js';
export { rememberWrittenConditions, type ReadyMemory } from './status.js';
export { BGP_KINDS, bgpOutcomes, withReady, type BGPReadyMemory } from './bgp-status.js';
