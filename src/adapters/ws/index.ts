export { WS_CLOSE, type WsCloseCode } from "./close-codes.js";
export type { WsAdapterOptions } from "./options.js";
export { attachWsAdapter, type WsAdapter } from "./ws-server.js";
