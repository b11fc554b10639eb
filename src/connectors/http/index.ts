export {
  HTTP_METHODS,
  type HttpConfig,
  HttpConfigSchema,
  type HttpOperationConfig,
  HttpOperationConfigSchema,
  httpConnector,
} from './connector.ts';
