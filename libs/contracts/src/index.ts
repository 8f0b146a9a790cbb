export * from './names.js';
export * from './errors.js';
export * from './scenario.js';
export * from './campaign.js';
export * from './job.js';
export * from './snapshot.js';
export * from './cluster.js';
export * from './openapi.js';
