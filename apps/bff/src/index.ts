export { createApp, startBff, type AppDeps, type BffApp, type RunningBff } from './app';
export { loadConfig, ConfigError, type Config } from './config';
export { openDatabase, type DatabaseHandle } from './db/connect';
export { reconcileOnce } from './reconciler';
