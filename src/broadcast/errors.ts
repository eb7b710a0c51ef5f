/** Base class of every error this library throws; `code` is stable, messages are not. */
export class BroadcastError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A subscriber's queue overflowed under the `"error"` policy; its subscription ended. */
export class SlowConsumerError extends BroadcastError {
  /** The queue size that was exceeded. */
  readonly queueSize: number;

  constructor(queueSize: number) {
    super(
      "SLOW_CONSUMER",
      `Subscriber fell ${queueSize} values behind and was unsubscribed (overflow policy "error")`,
    );
    this.queueSize = queueSize;
  }
}

/** `submit` or `subscribe` was called after `close()`. */
export class BroadcasterClosedError extends BroadcastError {
  constructor(operation: string) {
    super("BROADCASTER_CLOSED", `Cannot ${operation}: the broadcaster is closed`);
  }
}

/** An option had a value outside its documented range. */
export class InvalidOptionError extends BroadcastError {
  readonly option: string;

  constructor(option: string, expected: string, value: unknown) {
    super(
      "INVALID_OPTION",
      `Expected \`${option}\` to be ${expected}, got \`${String(value)}\` (${typeof value})`,
    );
    this.option = option;
  }
}
