export * from './common.js';
export * from './ipaddresspool.js';
