/**
 * Rate-limit token buckets shared by every process on the database: one row
 * per caller and kind, taken in one statement that locks only that row. A row
 * expires once its bucket would be full again; the store's heartbeat deletes
 * expired rows, so idle callers cost nothing.
 */
export const RATE_BUCKETS_SCHEMA = `
CREATE TABLE rate_buckets (
  key         text PRIMARY KEY,
  tokens      double precision NOT NULL,
  at          timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX rate_buckets_expires_at ON rate_buckets (expires_at);

-- Takes a token of bucket p_key (refilled at p_rate per second up to p_burst):
-- 0, or the whole seconds until a token could be taken.
CREATE FUNCTION chat_rate_take(p_key text, p_rate double precision, p_burst double precision)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := clock_timestamp();
  v_tokens double precision;
  v_wait integer := 0;
BEGIN
  INSERT INTO rate_buckets AS b (key, tokens, at, expires_at) VALUES (p_key, p_burst, v_now, v_now)
  ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
  RETURNING LEAST(p_burst, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM (v_now - b.at))) * p_rate) INTO v_tokens;
  IF v_tokens >= 1 THEN
    v_tokens := v_tokens - 1;
  ELSE
    v_wait := ceil((1 - v_tokens) / p_rate);
  END IF;
  UPDATE rate_buckets
     SET tokens = v_tokens, at = v_now,
         expires_at = v_now + make_interval(secs => (p_burst - v_tokens) / p_rate + 1)
   WHERE key = p_key;
  RETURN v_wait;
END $$;
`;
