// The election's public face: who announces each IP, and who must hear whom fast.
export { rankNodes, ownerInOrder, electOwner, electOwners, type Candidate, type IpCandidates } from './rank.js';
export { heartbeatTargets, heartbeatTargetsRanked, rankIps, DEFAULT_FAST_SUCCESSORS, type RankedIp } from './targets.js';
export { nodeIpHash } from './hash.js';
