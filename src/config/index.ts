export { configSchema, type Config, type ListenerConfig, type ProfileConfig, type Rule } from './schema.js';
export { loadConfigFile, parseConfigText, defaultConfigPath, formatProblem, ConfigError, type ConfigProblem, type LoadedConfig } from './load.js';
export { parseDuration, parseSize, formatDuration } from './units.js';
