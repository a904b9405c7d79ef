export * from './features';
export * from './license';
export * from './entitlement';
export { PRODUCTION_VENDOR_KEY, VENDOR_PUBLIC_KEY_BASE64 } from './vendor-key';
