export * from './load.js';
export * from './schemas.js';
export * from './logging.js';
