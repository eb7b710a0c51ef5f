export { Broadcaster } from "./broadcaster.js";
export { BroadcasterClosedError, BroadcastError, InvalidOptionError, SlowConsumerError } from "./errors.js";
export type { BroadcasterOptions, OverflowPolicy, QueueOptions, SubscribeOptions } from "./options.js";
export type { Subscription } from "./subscription.js";
