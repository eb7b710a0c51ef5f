export { Broadcaster } from "./broadcaster.js";
export { BroadcastError, BroadcasterClosedError, InvalidOptionError, SlowConsumerError } from "./errors.js";
export type { BroadcasterOptions, OverflowPolicy, QueueOptions, SubscribeOptions } from "./options.js";
export type { Subscription } from "./subscription.js";
