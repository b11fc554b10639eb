export {
  type DemoShopConfig,
  DemoShopConfigSchema,
  type DemoShopTransport,
  demoShopConnector,
  httpTransport,
  inProcessTransport,
} from './connector.ts';
export * from './data.ts';
export { createIdempotencyLedger, type IdempotencyLedger } from './idempotency.ts';
export * from './schemas.ts';
export { type DemoShopServer, startDemoShopServer } from './server.ts';
export {
  createDemoShopService,
  type DemoShopService,
  normaliseOrderNumber,
  PASSWORD_RESET_EXPIRES_IN_MINUTES,
} from './service.ts';
