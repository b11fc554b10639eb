export * from './clock.ts';
export * from './errors.ts';
export * from './files.ts';
export * from './logger.ts';
export * from './random.ts';
export * from './result.ts';
export * from './stats.ts';
export * from './yaml.ts';
