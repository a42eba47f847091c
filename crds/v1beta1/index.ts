export * from './common.js';
export * from './ipaddresspool.js';
export * from './l2advertisement.js';
export * from './servicel2status.js';
