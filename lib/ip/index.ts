export * from './address.js';
export * from './interval.js';
export * from './octets.js';
export * from './usable.js';
