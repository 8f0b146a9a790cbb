export { startFactory, FACTORY_VERSION, type RunningFactory } from './factory.js';
