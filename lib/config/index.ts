export * from './model.js';
export * from './pools.js';
export * from './selector.js';
export * from './messages.js';
export * from './advertisements.js';
